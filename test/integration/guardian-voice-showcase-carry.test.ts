import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuardianComment, GuardianVoice } from '../../shared/api/guardian-voice.ts';
import type { School } from '../../shared/api/org.ts';
import type { ExportScope } from '../../shared/api/portability.ts';
import type { Showcase } from '../../shared/api/showcases.ts';
import { ARCHIVE_PATHS, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import type { Db } from '../../server/db/database.ts';
import { voiceDb } from '../../server/modules/guardian-voice/guardian-voice.repo.ts';
import { showcasesDb } from '../../server/modules/showcases/showcase-tables.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { applyImport, previewImport } from '../../server/modules/portability/import/import-archive.ts';
import { localHarness, type ImportHarness } from '../fixtures/hostile/import-harness.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import { addMember, linkGuardian, makeGroup, makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { readZipMap } from '../helpers/zip.ts';

// Issue 12 §2 on showcases with the archive (format 4): a showcase's shown guardian comments and reaction counts
// travel in portfolio.json as an artefact's do, never in a guardian's export; an import brings the comments
// back by name only on the showcase it creates; an archive without them still imports.
const documentOf = (entries: Map<string, Buffer>) => JSON.parse(entries.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? 'null') as PortfolioDocument;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('carrying guardian voice on showcases', () => {
  let app: TestApp;
  let db: Db;
  let h: ImportHarness;
  let work: string;
  let w: Awaited<ReturnType<typeof world>>;
  let showcaseId: string;
  const text = { shown: 'Ihana kooste!', reported: 'Ilmiannettu kooste-kommentti' };

  async function world() {
    const school = await makeSchool(db);
    const group = await makeGroup(db, school.id);
    const [pupil, other, teacher, admin, guardian, guardian2] = await Promise.all([
      makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Aino Oppilas' }),
      makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Toinen Oppilas' }),
      makeUser(db, { role: 'teacher', schoolId: school.id }),
      makeUser(db, { role: 'admin', schoolId: school.id }),
      makeUser(db, { role: 'guardian', schoolId: school.id, displayName: 'Äiti Oppilas' }),
      makeUser(db, { role: 'guardian', schoolId: school.id, displayName: 'Isä Oppilas' }),
    ]);
    await addMember(db, group.id, pupil.id, 'pupil');
    await addMember(db, group.id, other.id, 'pupil');
    await addMember(db, group.id, teacher.id, 'teacher');
    await linkGuardian(db, guardian.id, pupil.id);
    await linkGuardian(db, guardian2.id, pupil.id);
    const as = (u: { username: string }) => app.as(u.username);
    const c = { pupil: await as(pupil), other: await as(other), admin: await as(admin), guardian: await as(guardian), guardian2: await as(guardian2) };
    return { school, pupil, other, guardian, guardian2, c };
  }

  const exportOf = async (pupilId: string, scope: ExportScope, name: string) => {
    const file = path.join(work, name);
    await writeExportArchive({ db, blobs: app.polku.blobs, pupilId, scope, locale: 'fi' }, createWriteStream(file));
    return { file, entries: await readZipMap(file) };
  };
  const importInto = async (pupilId: string, file: string) => {
    const target = { kind: 'existing' as const, pupilId };
    const preview = await previewImport({ db, filePath: file, target });
    const report = await applyImport({ db, blobs: app.polku.blobs, filePath: file, target, actorId: pupilId, media: h.media });
    return { preview, report };
  };
  const zipOf = async (doc: PortfolioDocument, name: string) => {
    const json = Buffer.from(JSON.stringify(doc));
    const file = path.join(work, name);
    await writeFile(
      file,
      buildZip([
        { name: ARCHIVE_PATHS.document, data: json },
        { name: ARCHIVE_PATHS.manifest, data: Buffer.from(`${sha256(json)}  ${ARCHIVE_PATHS.document}\n`) },
      ]),
    );
    return file;
  };
  const showcasesOf = async (ownerId: string) =>
    (await showcasesDb(db).selectFrom('showcases').select('id').where('ownerId', '=', ownerId).execute()).map((s) => s.id);
  const commentsOn = (ids: string[]) =>
    ids.length ? voiceDb(db).selectFrom('guardianComments').selectAll().where('showcaseId', 'in', ids).orderBy('createdAt').execute() : Promise.resolve([]);

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'polku-showcase-voice-carry-'));
    app = await startTestApp();
    db = app.database.db;
    h = await localHarness();
    w = await world();
    expect((await w.c.admin.patch<School>(`/api/schools/${w.school.id}`, { guardianComments: 'shown' })).status).toBe(200);
    const created = await w.c.pupil.post<Showcase>('/api/showcases', { title: 'Vuoden parhaat' });
    expect(created.status, created.text).toBe(201);
    showcaseId = created.body.id;
    expect((await w.c.pupil.patch(`/api/showcases/${showcaseId}`, { visibility: 'guardians' })).status).toBe(200);
    const post = async (client: typeof w.c.guardian, body: string) => {
      const res = await client.post<GuardianComment>(`/api/showcases/${showcaseId}/guardian-comments`, { body });
      expect(res.status, res.text).toBe(201);
      return res.body;
    };
    await post(w.c.guardian, text.shown);
    const reported = await post(w.c.guardian2, text.reported);
    expect((await w.c.pupil.post(`/api/guardian-comments/${reported.id}/report`, {})).status).toBe(200);
    for (const [client, reaction] of [
      [w.c.guardian, 'heart'],
      [w.c.guardian2, 'heart'],
      [w.c.guardian2, 'wow'],
    ] as const)
      expect((await client.put<GuardianVoice>(`/api/showcases/${showcaseId}/guardian-reactions`, { reaction, given: true })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await app?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("the pupil's export holds the showcase's shown comments and counts; a guardian's export neither, nor any guardian's name", async () => {
    const full = documentOf((await exportOf(w.pupil.id, 'full', 'full.zip')).entries).showcases?.find((s) => s.id === showcaseId);
    expect(full?.guardianComments).toEqual([
      expect.objectContaining({
        body: text.shown,
        state: 'shown',
        author: { id: w.guardian.id, displayName: 'Äiti Oppilas', role: 'guardian', imported: false },
      }),
    ]);
    expect(full?.guardianReactions).toEqual({ heart: 2, wow: 1 });

    const { entries } = await exportOf(w.pupil.id, 'shared', 'shared.zip');
    const shared = documentOf(entries).showcases?.find((s) => s.id === showcaseId);
    expect(shared).toBeDefined();
    expect(shared?.guardianComments).toBeUndefined();
    expect(shared?.guardianReactions).toBeUndefined();
    for (const [name, bytes] of entries)
      for (const t of [text.shown, text.reported, 'Äiti Oppilas', 'Isä Oppilas']) expect(bytes.toString('utf8'), name).not.toContain(t);
  });

  it('import into another pupil brings the shown comments onto the new showcase by name only, and no reactions', async () => {
    const { file } = await exportOf(w.pupil.id, 'full', 'carry.zip');
    const before = new Set(await showcasesOf(w.other.id));
    const { preview } = await importInto(w.other.id, file);
    expect(preview.items.filter((i) => i.type === 'feedback' && i.action === 'create').map((i) => i.title)).toContain(text.shown);
    const created = (await showcasesOf(w.other.id)).filter((id) => !before.has(id));
    expect(created).toHaveLength(1);
    const rows = await commentsOn(created);
    expect(
      rows.map((r) => ({ body: r.body, state: r.state, authorId: r.authorId, pupilId: r.pupilId, artefactId: r.artefactId, importedAuthor: r.importedAuthor })),
    ).toEqual([
      {
        body: text.shown,
        state: 'shown',
        authorId: null,
        pupilId: w.other.id,
        artefactId: null,
        importedAuthor: { id: w.guardian.id, displayName: 'Äiti Oppilas', role: 'guardian', imported: true },
      },
    ]);
    expect(await voiceDb(db).selectFrom('guardianReactions').select('id').where('showcaseId', 'in', created).execute()).toEqual([]);
    // The new pupil reads it (the author a name they are not shown); the guardian, nobody to that pupil, reads nothing.
    const seen = await w.c.other.get<GuardianVoice>(`/api/showcases/${created[0]}/guardian-voice`);
    expect(seen.body.comments.map((c) => ({ body: c.body, author: c.author, mine: c.mine }))).toEqual([{ body: text.shown, author: null, mine: false }]);
    expect((await w.c.guardian.get(`/api/showcases/${created[0]}/guardian-voice`)).status).toBe(404);
    // Exported again, it stays what it is: a name, marked as imported.
    const again = documentOf((await exportOf(w.other.id, 'full', 'other.zip')).entries).showcases?.find((s) => s.id === created[0]);
    expect(again?.guardianComments?.map((c) => c.author)).toEqual([{ id: w.guardian.id, displayName: 'Äiti Oppilas', role: 'guardian', imported: true }]);
  });

  it('an archive whose showcases carry no guardian voice (written before) still imports', async () => {
    const doc = documentOf((await exportOf(w.pupil.id, 'full', 'old-base.zip')).entries);
    const old: PortfolioDocument = {
      ...doc,
      showcases: (doc.showcases ?? []).map(({ guardianComments: _c, guardianReactions: _r, ...s }) => s),
    };
    const before = new Set(await showcasesOf(w.other.id));
    await importInto(w.other.id, await zipOf(old, 'old.zip'));
    const created = (await showcasesOf(w.other.id)).filter((id) => !before.has(id));
    expect(created).toHaveLength(1);
    expect(await commentsOn(created)).toEqual([]);
  });
});
