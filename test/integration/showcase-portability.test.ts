import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_PATHS, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { applyImport, previewImport } from '../../server/modules/portability/import/import-archive.ts';
import { insertImportedShowcases } from '../../server/modules/portability/import/import-showcases.ts';
import { showcasesDb } from '../../server/modules/showcases/showcase-tables.ts';
import { type ImportHarness, localHarness } from '../fixtures/hostile/import-harness.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import { makeArtefact, makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { readZipMap as readZip } from '../helpers/zip.ts';

// Issue 12 §3: showcases travel in portfolio.json (format 4) and come back as the pupil's own, in order,
// private, and naming only work the target pupil owns, whatever the archive says.

describe('showcases through export and import', () => {
  let app: TestApp;
  let h: ImportHarness;
  let work: string;
  let w: Awaited<ReturnType<typeof makeTwoSchools>>;
  let shared: { id: string };
  let secret: { id: string };
  let showcaseId: string;
  let privateShowcaseId: string;
  let archive: string;

  const showcasesOf = async (ownerId: string) => {
    const sdb = showcasesDb(app.database.db);
    const rows = await sdb.selectFrom('showcases').selectAll().where('ownerId', '=', ownerId).orderBy('title').execute();
    return Promise.all(
      rows.map(async (s) => ({
        ...s,
        items: await sdb.selectFrom('showcaseItems').selectAll().where('showcaseId', '=', s.id).orderBy('position').execute(),
      })),
    );
  };
  const exportOf = async (pupilId: string, scope: 'full' | 'shared', name: string) => {
    const file = path.join(work, name);
    await writeExportArchive({ db: app.database.db, blobs: app.polku.blobs, pupilId, scope, locale: 'sv' }, createWriteStream(file));
    return file;
  };
  const documentOf = async (file: string) => JSON.parse((await readZip(file)).get(ARCHIVE_PATHS.document)?.toString('utf8') ?? '{}') as PortfolioDocument;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'polku-showcase-io-'));
    app = await startTestApp();
    h = await localHarness();
    const db = app.database.db;
    w = await makeTwoSchools(db);
    shared = await makeArtefact(db, { ownerId: w.pupil.id, title: 'Jaettu työ', visibility: 'guardians' });
    secret = await makeArtefact(db, { ownerId: w.pupil.id, title: 'Oma työ' });
    const sdb = showcasesDb(db);
    showcaseId = (
      await sdb
        .insertInto('showcases')
        .values({ ownerId: w.pupil.id, title: 'B: Parhaat', introHtml: '<p>Johdanto</p>', visibility: 'guardians' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await sdb
      .insertInto('showcaseItems')
      .values([
        { showcaseId, position: 0, artefactId: secret.id, bodyHtml: '<p>Miksi oma</p>', templateSlot: null },
        { showcaseId, position: 1, artefactId: null, heading: 'Väli', bodyHtml: '<p>Teksti</p>', templateSlot: null },
        { showcaseId, position: 2, artefactId: shared.id, bodyHtml: '<p>Miksi jaettu</p>', templateSlot: null },
      ])
      .execute();
    privateShowcaseId = (await sdb.insertInto('showcases').values({ ownerId: w.pupil.id, title: 'A: Luonnos' }).returning('id').executeTakeFirstOrThrow()).id;
    archive = await exportOf(w.pupil.id, 'full', 'full.zip');
  });

  afterAll(async () => {
    await h?.close();
    await app?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('a guardian’s (shared) export holds only showcases shared with guardians, and of them only shared work and text blocks', async () => {
    const doc = await documentOf(await exportOf(w.pupil.id, 'shared', 'shared.zip'));
    expect(doc.showcases?.map((s) => s.id)).toEqual([showcaseId]);
    expect(doc.showcases?.[0]?.items).toEqual([
      { artefactId: null, heading: 'Väli', bodyHtml: '<p>Teksti</p>' },
      { artefactId: shared.id, heading: '', bodyHtml: '<p>Miksi jaettu</p>' },
    ]);
    const full = await documentOf(archive);
    expect(full.showcases?.map((s) => s.id).sort()).toEqual([showcaseId, privateShowcaseId].sort());
  });

  it('imports into another pupil as their own private showcase, in order, its work under the new ids', async () => {
    const target = { kind: 'existing' as const, pupilId: w.classmate.id };
    const preview = await previewImport({ db: app.database.db, filePath: archive, target });
    const listed = preview.items.filter((i) => i.type === 'showcase').sort((a, b) => a.title.localeCompare(b.title));
    expect(listed.map((i) => [i.sourceId, i.action, i.reasonCode])).toEqual([
      [privateShowcaseId, 'create', 'showcase-new-id'],
      [showcaseId, 'create', 'showcase-new-id'],
    ]);
    await applyImport({ db: app.database.db, blobs: h.blobs, filePath: archive, target, actorId: w.classmate.id, media: h.media });
    const mine = await showcasesOf(w.classmate.id);
    expect(mine.map((s) => [s.title, s.visibility])).toEqual([
      ['A: Luonnos', 'private'],
      ['B: Parhaat', 'private'],
    ]);
    const best = mine[1];
    const own = await app.database.db.selectFrom('artefacts').select(['id', 'title']).where('ownerId', '=', w.classmate.id).execute();
    const idOf = (title: string) => own.find((a) => a.title === title)?.id;
    expect(best?.items.map((i) => [i.position, i.artefactId, i.heading, i.bodyHtml])).toEqual([
      [0, idOf('Oma työ'), '', '<p>Miksi oma</p>'],
      [1, null, 'Väli', '<p>Teksti</p>'],
      [2, idOf('Jaettu työ'), '', '<p>Miksi jaettu</p>'],
    ]);
    expect(best?.id).not.toBe(showcaseId);
    expect([idOf('Oma työ'), idOf('Jaettu työ')]).not.toContain(secret.id);
  });

  it('importing the pupil’s own archive again skips the showcases already there', async () => {
    const target = { kind: 'existing' as const, pupilId: w.pupil.id };
    const preview = await previewImport({ db: app.database.db, filePath: archive, target });
    expect(preview.items.filter((i) => i.type === 'showcase').map((i) => [i.action, i.reasonCode])).toEqual([
      ['skip', 'showcase-exists'],
      ['skip', 'showcase-exists'],
    ]);
    await applyImport({ db: app.database.db, blobs: h.blobs, filePath: archive, target, actorId: w.pupil.id, media: h.media });
    expect(await showcasesOf(w.pupil.id)).toHaveLength(2);
  });

  it('an archive cannot put anyone else’s work into a showcase: items naming work it does not bring are left out', async () => {
    const elsewhere = await makeArtefact(app.database.db, { ownerId: w.pupilB.id, title: 'Toisen koulun työ' });
    const doc = await documentOf(archive);
    const forged: PortfolioDocument = {
      ...doc,
      artefacts: doc.artefacts.filter((a) => a.id === shared.id),
      showcases: [
        {
          id: '6f0c1c1e-8f3a-4d59-9b55-0a1b2c3d4e5f',
          title: 'Väärennös',
          introHtml: '<p>x</p><script>alert(1)</script>',
          visibility: 'project',
          projectId: null,
          createdAt: doc.exportedAt,
          updatedAt: doc.exportedAt,
          origin: null,
          items: [
            { artefactId: elsewhere.id, heading: '', bodyHtml: '' },
            { artefactId: secret.id, heading: '', bodyHtml: '' },
            { artefactId: shared.id, heading: '', bodyHtml: '<p onclick="x()">ok</p>' },
          ],
        },
      ],
    };
    // The archive's own checksums made to agree, as a forger would.
    const entries = await readZip(archive);
    const json = Buffer.from(JSON.stringify(forged));
    entries.set(ARCHIVE_PATHS.document, json);
    const manifest = (entries.get(ARCHIVE_PATHS.manifest)?.toString('utf8') ?? '')
      .split('\n')
      .map((line) => (line.endsWith(` ${ARCHIVE_PATHS.document}`) ? `${createHash('sha256').update(json).digest('hex')}  ${ARCHIVE_PATHS.document}` : line))
      .join('\n');
    entries.set(ARCHIVE_PATHS.manifest, Buffer.from(manifest));
    const file = path.join(work, 'forged.zip');
    await writeFile(file, buildZip([...entries].map(([name, data]) => ({ name, data }))));
    const target = { kind: 'existing' as const, pupilId: w.classmate.id };
    const before = (await showcasesOf(w.classmate.id)).length;
    await applyImport({ db: app.database.db, blobs: h.blobs, filePath: file, target, actorId: w.classmate.id, media: h.media });
    const made = (await showcasesOf(w.classmate.id)).find((s) => s.title === 'Väärennös');
    expect((await showcasesOf(w.classmate.id)).length).toBe(before + 1);
    // Private whatever the archive says, sanitised, and only the one work the archive brought (under its new id).
    expect(made?.visibility).toBe('private');
    expect(made?.introHtml).not.toContain('script');
    expect(made?.items).toHaveLength(1);
    const item = made?.items[0];
    expect(item?.bodyHtml).toBe('<p>ok</p>');
    const owner = await app.database.db
      .selectFrom('artefacts')
      .select('ownerId')
      .where('id', '=', item?.artefactId ?? '')
      .executeTakeFirst();
    expect(owner?.ownerId).toBe(w.classmate.id);
  });

  it('the writer keeps only work the target pupil owns, whatever a plan names (every format goes through it)', async () => {
    const db = app.database.db;
    const theirs = await makeArtefact(db, { ownerId: w.pupilB.id });
    const deleted = await makeArtefact(db, { ownerId: w.classmate.id, deleted: true });
    const own = await makeArtefact(db, { ownerId: w.classmate.id });
    const id = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    await db.transaction().execute((trx) =>
      insertImportedShowcases(
        trx,
        [
          {
            id,
            title: 'Suora',
            introHtml: '',
            projectId: null,
            origin: null,
            createdAt: null,
            updatedAt: null,
            items: [
              { artefactId: theirs.id, heading: '', bodyHtml: '' },
              { artefactId: deleted.id, heading: '', bodyHtml: '' },
              { artefactId: own.id, heading: '', bodyHtml: '' },
              { artefactId: null, heading: '', bodyHtml: ' ' },
            ],
          },
        ],
        w.classmate.id,
      ),
    );
    const items = await showcasesDb(db).selectFrom('showcaseItems').select(['artefactId', 'position']).where('showcaseId', '=', id).execute();
    expect(items).toEqual([{ artefactId: own.id, position: 0 }]);
  });
});
