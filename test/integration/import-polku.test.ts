import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import type { Feedback } from '../../shared/api/feedback.ts';
import { ARCHIVE_PATHS, PORTFOLIO_FORMAT_VERSION, VOLATILE_FIELDS, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { ImportRejected, applyImport, previewImport } from '../../server/modules/portability/import/import-archive.ts';
import { type ImportHarness, localHarness, s3Harness, schoolState } from '../fixtures/hostile/import-harness.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import { jpegWithGps } from '../fixtures/make-fixtures.ts';
import { makeSchool, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { artefactForm as form, wavTone } from '../helpers/artefact-upload.ts';
import { postSampleProject } from '../helpers/sample-project.ts';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { readZipMap as readZip } from '../helpers/zip.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function documentOf(entries: Map<string, Buffer>): PortfolioDocument {
  return JSON.parse(entries.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? 'null') as PortfolioDocument;
}

/** The document without the JSON pointers of VOLATILE_FIELDS. */
function withoutVolatile(doc: PortfolioDocument): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  for (const pointer of VOLATILE_FIELDS) {
    const parts = pointer.split('/').slice(1);
    let node: unknown = copy;
    for (const part of parts.slice(0, -1)) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    if (node && typeof node === 'object') delete (node as Record<string, unknown>)[parts.at(-1) ?? ''];
  }
  return copy;
}

/**
 * What a Polku that imported `doc` exports again: the same document, except that everyone but the
 * pupil is a name-only imported person there (an import links no one else to an account), so
 * comes back with `imported: true`, keeping id, name and role.
 */
function importedHere(doc: PortfolioDocument): PortfolioDocument {
  const copy = JSON.parse(JSON.stringify(doc)) as PortfolioDocument;
  const mark = (p: { id: string | null; imported: boolean } | null) => {
    if (p && p.id !== doc.pupil.id) p.imported = true;
  };
  for (const p of copy.projects) p.teachers.forEach(mark);
  for (const a of copy.artefacts) {
    a.feedback.forEach((f) => mark(f.author));
    a.versions.forEach((v) => mark(v.author));
  }
  return copy;
}

for (const storeKind of ['local', 's3'] as const) {
  describe(`Polku archive round trip (${storeKind} blob store)`, () => {
    let app: TestApp;
    let w: Awaited<ReturnType<typeof makeTwoSchools>>;
    let work: string;
    let s3: S3TestServer | null = null;
    let exported: string;

    beforeAll(async () => {
      work = await mkdtemp(path.join(tmpdir(), 'polku-roundtrip-'));
      app = await startTestApp();
      const db = app.database.db;
      w = await makeTwoSchools(db);
      const [pupil, teacher] = await Promise.all([app.as(w.pupil.username), app.as(w.teacher.username)]);
      const project = await postSampleProject(teacher, db, { schoolId: w.schoolA.id, groupId: w.group.id });
      const photo = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#3a7' } })
        .jpeg()
        .toBuffer();
      const created = await pupil.post<Artefact>(
        '/api/artefacts',
        form(
          {
            title: 'Jää sulaa',
            bodyHtml: '<p>Jää suli <strong>nopeasti</strong> &amp; vesi lämpeni.</p>',
            projectId: project.id,
            phaseId: project.phases[1]?.id,
            status: 'ready',
            subjectCodes: ['FY'],
            competenceIds: ['basic:L4'],
            goalIds: [project.goals[0]?.id],
            links: [{ url: 'https://example.org/jaa', title: 'Lisää' }],
            tags: ['Jää', 'kokeet'],
          },
          [
            { name: 'jaa.jpg', type: 'image/jpeg', bytes: photo },
            { name: 'aani.wav', type: 'audio/wav', bytes: wavTone() },
          ],
        ),
      );
      expect(created.status, created.text).toBe(201);
      expect((await pupil.patch<Artefact>(`/api/artefacts/${created.body.id}`, { title: 'Jää sulaa nopeasti', visibility: 'guardians' })).status).toBe(200);
      const note = await teacher.post<Feedback>(`/api/artefacts/${created.body.id}/feedback`, { body: 'Hyvä mittaus!\n\nMitä tapahtuu suolalle?' });
      expect((await pupil.post<Feedback>(`/api/artefacts/${created.body.id}/feedback`, { body: 'Se sulattaa jään.', parentId: note.body.id })).status).toBe(
        201,
      );
      await db
        .insertInto('feedback')
        .values({
          artefactId: created.body.id,
          authorId: null,
          parentId: note.body.id,
          body: 'Tuotu kommentti',
          importedAuthor: JSON.stringify({ id: null, displayName: 'Maija Mahara', role: 'teacher' }),
        })
        .execute();
      const png = await sharp({ create: { width: 60, height: 60, channels: 3, background: '#a13' } })
        .png()
        .toBuffer();
      expect((await pupil.post<Artefact>('/api/artefacts', form({ title: 'Oma luonnos' }, [{ name: 'oma.png', type: 'image/png', bytes: png }]))).status).toBe(
        201,
      );
      expect((await pupil.post<Artefact>('/api/artefacts', form({ title: 'Ajatuksia', bodyHtml: '<p>Pelkkää tekstiä</p>' }))).status).toBe(201);

      exported = path.join(work, 'first.zip');
      await writeExportArchive({ db, blobs: app.polku.blobs, pupilId: w.pupil.id, scope: 'full', locale: 'fi' }, createWriteStream(exported));
    });

    afterAll(async () => {
      await app?.close();
      await s3?.close();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('export → import into a new account in a fresh Polku → export gives the same portfolio.json (others marked imported) and byte-identical media', async () => {
      const fresh = await freshDatabase();
      if (storeKind === 's3') s3 = await startS3Server();
      const h: ImportHarness = s3 ? await s3Harness(s3) : await localHarness();
      try {
        const db = fresh.handle.db;
        const school = await makeSchool(db);
        const first = await readZip(exported);
        const doc = documentOf(first);
        // The teachers have accounts in the new Polku too (same ids): still an import links no one but the pupil.
        for (const t of [w.teacher]) {
          await db.insertInto('users').values({ id: t.id, username: t.username, displayName: t.displayName }).execute();
          await db.insertInto('schoolRoles').values({ schoolId: school.id, userId: t.id, role: 'teacher' }).execute();
        }
        const target = { kind: 'new' as const, schoolId: school.id };
        const preview = await previewImport({ db, filePath: exported, target });
        expect(preview).toMatchObject({ format: 'polku', sourceVersion: String(PORTFOLIO_FORMAT_VERSION), pupilName: doc.pupil.displayName });
        expect(preview.counts.skip).toBe(0);
        expect(preview.counts.unmapped).toBe(0);
        const report = await applyImport({ db, blobs: h.blobs, filePath: exported, target, actorId: null, media: h.media });
        expect(report.counts).toEqual(preview.counts);
        expect(report.created).toEqual({ projects: 1, artefacts: 3, media: 3, feedback: 3 });
        const user = await db.selectFrom('users').selectAll().where('id', '=', report.pupilId).executeTakeFirstOrThrow();
        expect([user.id, user.username, user.displayName]).toEqual([doc.pupil.id, doc.pupil.username, doc.pupil.displayName]);
        expect(await h.tmpFiles()).toEqual([]);

        const again = path.join(work, `again-${storeKind}.zip`);
        await writeExportArchive({ db, blobs: h.blobs, pupilId: report.pupilId, scope: 'full', locale: 'fi' }, createWriteStream(again));
        const second = await readZip(again);
        expect(doc.artefacts.find((x) => x.title === 'Jää sulaa nopeasti')?.tags).toEqual(['Jää', 'kokeet']);
        expect(withoutVolatile(documentOf(second))).toEqual(withoutVolatile(importedHere(doc)));
        expect(await db.selectFrom('projectTeachers').selectAll().execute()).toEqual([]);
        expect(await db.selectFrom('projectGroups').selectAll().execute()).toEqual([]);
        const teacherRows = await db.selectFrom('feedback').select('id').where('authorId', '=', w.teacher.id).execute();
        expect(teacherRows).toEqual([]);
        const media = (m: Map<string, Buffer>) =>
          [...m]
            .filter(([n]) => n.startsWith(ARCHIVE_PATHS.filesDir))
            .map(([n, b]) => [n, sha256(b)])
            .sort();
        expect(media(second)).toEqual(media(first));
        expect(media(first).length).toBeGreaterThanOrEqual(5);
      } finally {
        await h.close();
        await fresh.drop();
      }
    });

    it('into a Polku where the teachers have no account: the same document, the teachers kept by name (imported) with their original ids', async () => {
      const fresh = await freshDatabase();
      const h = await localHarness();
      try {
        const db = fresh.handle.db;
        const school = await makeSchool(db);
        const report = await applyImport({
          db,
          blobs: h.blobs,
          filePath: exported,
          target: { kind: 'new', schoolId: school.id },
          actorId: null,
          media: h.media,
        });
        const again = path.join(work, `no-teachers-${storeKind}.zip`);
        await writeExportArchive({ db, blobs: h.blobs, pupilId: report.pupilId, scope: 'full', locale: 'fi' }, createWriteStream(again));
        const before = documentOf(await readZip(exported));
        const after = documentOf(await readZip(again));
        // No account behind the teacher here: the rows say so (author_id null, the person in imported_author).
        const linked = await db.selectFrom('feedback').select(['authorId', 'importedAuthor']).where('importedAuthor', 'is not', null).execute();
        expect(linked.some((f) => f.authorId === null && f.importedAuthor?.id === w.teacher.id && f.importedAuthor.imported === true)).toBe(true);
        expect(withoutVolatile(after)).toEqual(withoutVolatile(importedHere(before)));
      } finally {
        await h.close();
        await fresh.drop();
      }
    });

    it('the archive read as LEAP2A alone (no portfolio.json) imports its work, project, competences and feedback', async () => {
      const entries = await readZip(exported);
      const doc = documentOf(entries);
      entries.delete(ARCHIVE_PATHS.document);
      const file = path.join(work, `leap-only-${storeKind}.zip`);
      await writeFile(file, buildZip([...entries].map(([name, data]) => ({ name, data }))));
      const fresh = await freshDatabase();
      const h = await localHarness();
      try {
        const school = await makeSchool(fresh.handle.db);
        const report = await applyImport({
          db: fresh.handle.db,
          blobs: h.blobs,
          filePath: file,
          target: { kind: 'new', schoolId: school.id },
          actorId: null,
          media: h.media,
        });
        expect(report).toMatchObject({ format: 'leap2a', sourceVersion: '2010-07', pupilName: doc.pupil.displayName });
        // The project's own competence has no work as evidence in the feed: reported, not lost silently.
        // (The project's goal is reported too: Polku reads goals from portfolio.json, not from LEAP2A.)
        expect(report.items.filter((i) => i.action === 'unmapped').map((i) => i.sourceId)).toEqual([
          'urn:polku:goal:' + (doc.projects[0]?.goals[0]?.id ?? ''),
          'urn:polku:competence:basic%3AL1',
        ]);
        expect(report.created).toMatchObject({ projects: 1, artefacts: 3, feedback: 3 });
        const rows = await fresh.handle.db.selectFrom('artefacts').selectAll().where('ownerId', '=', report.pupilId).execute();
        const original = doc.artefacts.find((a) => a.media.length === 2);
        const imported = rows.find((r) => r.title === original?.title);
        expect(imported).toMatchObject({
          subjectCodes: ['FY'],
          competenceIds: ['basic:L4'],
          kind: 'image',
          links: [{ url: 'https://example.org/jaa', title: 'Lisää' }],
        });
        const media = await fresh.handle.db
          .selectFrom('mediaItems')
          .select(['kind'])
          .where('artefactId', '=', imported?.id ?? '')
          .orderBy('position')
          .execute();
        expect(media.map((m) => m.kind)).toEqual(['image', 'audio']);
        const feedback = await fresh.handle.db
          .selectFrom('feedback')
          .selectAll()
          .where('artefactId', '=', imported?.id ?? '')
          .orderBy('createdAt')
          .execute();
        expect(feedback.map((f) => f.importedAuthor?.displayName)).toEqual([w.teacher.displayName, w.pupil.displayName, 'Maija Mahara']);
        expect(feedback.slice(1).map((f) => f.parentId)).toEqual([feedback[0]?.id, feedback[0]?.id]);
      } finally {
        await h.close();
        await fresh.drop();
      }
    });

    it('merging the archive into the pupil it came from skips everything', async () => {
      const db = app.database.db;
      const before = { rows: await schoolState(db, w.schoolA.id) };
      const target = { kind: 'existing' as const, pupilId: w.pupil.id };
      const preview = await previewImport({ db, filePath: exported, target });
      expect(preview.counts).toEqual({ create: 0, skip: preview.items.length, unmapped: 0 });
      expect(new Set(preview.items.map((i) => i.type))).toEqual(new Set(['project', 'artefact', 'media', 'feedback', 'version']));
      const skipCodes = {
        project: 'project-exists',
        artefact: 'artefact-exists',
        media: 'media-exists',
        feedback: 'feedback-exists',
        version: 'version-exists',
      };
      for (const i of preview.items) expect(i, i.sourceId).toMatchObject({ reasonCode: skipCodes[i.type as keyof typeof skipCodes] });
      // A version's title is made up: English for the CLI, a code and params for the page to word.
      const versions = preview.items.filter((i) => i.type === 'version');
      expect(versions.length).toBeGreaterThan(0);
      for (const v of versions) {
        const number = Number(v.sourceId.split('#')[1]);
        expect(v.titleCode).toBe('version');
        expect(v.titleParams).toEqual({ title: expect.any(String) as unknown, version: number });
        expect(v.title).toBe(`${String(v.titleParams?.title)} (version ${number})`);
      }
      expect(preview.items.filter((i) => i.type !== 'version' && i.titleCode)).toEqual([]);
      const report = await applyImport({ db, blobs: app.polku.blobs, filePath: exported, target, actorId: w.pupil.id, media: app.config.media });
      expect(report.created).toEqual({ projects: 0, artefacts: 0, media: 0, feedback: 0 });
      const after = await schoolState(db, w.schoolA.id);
      expect(after).toEqual({ ...before.rows, audit: (before.rows.audit ?? 0) + 1 });
    });
  });
}

describe('Polku archives: merge rules, ids of others, tampering', () => {
  let app: TestApp;
  let work: string;
  let w: Awaited<ReturnType<typeof makeTwoSchools>>;
  let exported: string;
  let entries: Map<string, Buffer>;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'polku-merge-'));
    app = await startTestApp();
    w = await makeTwoSchools(app.database.db);
    const pupil = await app.as(w.pupil.username);
    const png = await sharp({ create: { width: 50, height: 40, channels: 3, background: '#159' } })
      .png()
      .toBuffer();
    expect((await pupil.post<Artefact>('/api/artefacts', form({ title: 'Kuva' }, [{ name: 'kuva.png', type: 'image/png', bytes: png }]))).status).toBe(201);
    exported = path.join(work, 'export.zip');
    await writeExportArchive({ db: app.database.db, blobs: app.polku.blobs, pupilId: w.pupil.id, scope: 'full', locale: 'fi' }, createWriteStream(exported));
    entries = await readZip(exported);
  });
  afterAll(async () => {
    await app?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The export with some files replaced; SHA256SUMS rewritten unless `keepSums`. */
  async function repack(name: string, change: (files: Map<string, Buffer>) => void, keepSums = false): Promise<string> {
    const files = new Map(entries);
    change(files);
    if (!keepSums) {
      const sums = [...files]
        .filter(([n]) => n !== ARCHIVE_PATHS.manifest)
        .map(([n, b]) => `${sha256(b)}  ${n}`)
        .join('\n');
      files.set(ARCHIVE_PATHS.manifest, Buffer.from(`${sums}\n`));
    }
    const file = path.join(work, name);
    await writeFile(file, buildZip([...files].map(([n, data]) => ({ name: n, data }))));
    return file;
  }

  it('an artefact whose id belongs to another pupil here is created under a new id', async () => {
    const other = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
    const h = await localHarness();
    try {
      const report = await applyImport({
        db: app.database.db,
        blobs: h.blobs,
        filePath: exported,
        target: { kind: 'existing', pupilId: other.id },
        actorId: null,
        media: h.media,
      });
      const artefactItem = report.items.find((i) => i.type === 'artefact');
      expect(artefactItem).toMatchObject({
        action: 'create',
        reasonCode: 'artefact-new-id',
        reason: expect.stringMatching(/belongs to another pupil/) as unknown,
      });
      const mine = await app.database.db.selectFrom('artefacts').selectAll().where('ownerId', '=', other.id).execute();
      expect(mine).toHaveLength(1);
      expect(mine[0]?.id).not.toBe(artefactItem?.sourceId);
      const media = await app.database.db
        .selectFrom('mediaItems')
        .selectAll()
        .where('artefactId', '=', mine[0]?.id ?? '')
        .execute();
      expect(media).toHaveLength(1);
      expect(await h.blobKeys()).toEqual(Object.values(media[0]?.variants ?? {}).sort());
    } finally {
      await h.close();
    }
  });

  it('refuses a file changed after export, and names an invalid field of portfolio.json', async () => {
    const school = await makeSchool(app.database.db);
    const target = { kind: 'new' as const, schoolId: school.id };
    const mediaName = [...entries.keys()].find((n) => n.startsWith('files/')) ?? '';
    const tampered = await repack('tampered.zip', (f) => f.set(mediaName, Buffer.concat([f.get(mediaName) ?? Buffer.alloc(0), Buffer.from('x')])), true);
    const err1 = await previewImport({ db: app.database.db, filePath: tampered, target }).catch((e: unknown) => e);
    expect(err1).toBeInstanceOf(ImportRejected);
    expect((err1 as ImportRejected).code).toBe('checksum-mismatch');
    const broken = await repack('invalid.zip', (f) => {
      const doc = documentOf(f) as unknown as { artefacts: Array<{ status: string }> };
      const first = doc.artefacts[0];
      if (first) first.status = 'published';
      f.set(ARCHIVE_PATHS.document, Buffer.from(JSON.stringify(doc)));
    });
    const err2 = await previewImport({ db: app.database.db, filePath: broken, target }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(ImportRejected);
    expect((err2 as ImportRejected).code).toBe('invalid-document');
    expect((err2 as ImportRejected).message).toMatch(/artefacts\[0\]\.status/);
    expect(await schoolState(app.database.db, school.id)).toMatchObject({ users: 0, artefacts: 0 });
  });

  it('an image that carries metadata is cleaned on import and reported, not kept byte for byte', async () => {
    const dir = await mkdtemp(path.join(work, 'gps-'));
    const gps = await readFile(await jpegWithGps(dir));
    const doc = documentOf(entries);
    const media = doc.artefacts[0]?.media[0];
    if (!media?.files.original) throw new Error('no media in export');
    const gpsName = `files/${sha256(gps)}.jpg`;
    const file = await repack('gps.zip', (f) => {
      f.delete(media.files.original?.path ?? '');
      f.set(gpsName, gps);
      Object.assign(media, {
        mime: 'image/jpeg',
        sha256: sha256(gps),
        size: gps.length,
        files: { original: { path: gpsName, sha256: sha256(gps), size: gps.length, mime: 'image/jpeg' } },
      });
      f.set(ARCHIVE_PATHS.document, Buffer.from(JSON.stringify(doc)));
    });
    const fresh = await freshDatabase();
    const h = await localHarness();
    try {
      const s = await makeSchool(fresh.handle.db);
      const report = await applyImport({
        db: fresh.handle.db,
        blobs: h.blobs,
        filePath: file,
        target: { kind: 'new', schoolId: s.id },
        actorId: null,
        media: h.media,
      });
      expect(report.items.find((i) => i.type === 'media')?.reason).toMatch(/metadata .* cleaned/);
      const row = await fresh.handle.db.selectFrom('mediaItems').selectAll().executeTakeFirstOrThrow();
      expect(row.sha256).not.toBe(sha256(gps));
      const stored = path.join(dir, 'stored.jpg');
      const chunks: Buffer[] = [];
      for await (const c of await h.blobs.getStream(row.variants.original ?? '')) chunks.push(c as Buffer);
      await writeFile(stored, Buffer.concat(chunks));
      const meta = await sharp(stored).metadata();
      expect([meta.exif, meta.xmp]).toEqual([undefined, undefined]);
      expect(Object.keys(row.variantDigests).sort()).toEqual(['display', 'original', 'thumb']);
    } finally {
      await h.close();
      await fresh.drop();
    }
  });
});
