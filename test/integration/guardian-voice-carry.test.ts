import { createHash, randomUUID } from 'node:crypto';
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
import { addMember, linkGuardian, makeArtefact, makeGroup, makeProject, makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { readZipMap } from '../helpers/zip.ts';

// Issue 12 §2 with the archive (format 4): guardian comments the pupil could see and reaction counts travel in
// portfolio.json, the offline site and LEAP2A, never in a guardian's export; an import brings the comments
// back with their authors as names only, never linked to a guardian's account, and drops the reactions.
// Also: only current guardians' reactions count. A showcase's voice travels the same way (issue 12 §3).
const documentOf = (entries: Map<string, Buffer>) => JSON.parse(entries.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? 'null') as PortfolioDocument;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('carrying guardian voice', () => {
  let app: TestApp;
  let db: Db;
  let h: ImportHarness;
  let work: string;
  let w: Awaited<ReturnType<typeof world>>;
  const text = {
    shown: 'Upeaa työtä, kulta!',
    shown2: 'Isä on ylpeä sinusta.',
    held: 'Odottava kommentti',
    hidden: 'Piilotettu kommentti',
    reported: 'Ilmiannettu kommentti',
  };

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
    const project = await makeProject(db, { schoolId: school.id, teacherIds: [teacher.id], groupIds: [group.id] });
    const work = await makeArtefact(db, { ownerId: pupil.id, projectId: project.id, visibility: 'guardians', title: 'Vesiprojekti' });
    const as = (u: { username: string }) => app.as(u.username);
    const c = {
      pupil: await as(pupil),
      other: await as(other),
      teacher: await as(teacher),
      admin: await as(admin),
      guardian: await as(guardian),
      guardian2: await as(guardian2),
    };
    return { school, pupil, other, teacher, admin, guardian, guardian2, work, c };
  }

  const setting = async (value: 'shown' | 'moderated') => {
    const res = await w.c.admin.patch<School>(`/api/schools/${w.school.id}`, { guardianComments: value });
    expect(res.status, res.text).toBe(200);
  };
  const comment = async (client: TestClient, body: string) => {
    const res = await client.post<GuardianComment>(`/api/artefacts/${w.work.id}/guardian-comments`, { body });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };
  const react = async (client: TestClient, reaction: string) => {
    const res = await client.put<GuardianVoice>(`/api/artefacts/${w.work.id}/guardian-reactions`, { reaction, given: true });
    expect(res.status, res.text).toBe(200);
  };
  const counts = async (client: TestClient, artefactId: string) => {
    const res = await client.get<GuardianVoice>(`/api/artefacts/${artefactId}/guardian-voice`);
    expect(res.status, res.text).toBe(200);
    return Object.fromEntries(res.body.reactions.filter((r) => r.count > 0).map((r) => [r.reaction, r.count]));
  };
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
  /** An archive of portfolio.json alone (the work here has no files). */
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
  const commentsOn = (artefactIds: string[]) =>
    artefactIds.length
      ? voiceDb(db).selectFrom('guardianComments').selectAll().where('artefactId', 'in', artefactIds).orderBy('createdAt').execute()
      : Promise.resolve([]);
  const artefactsOf = async (ownerId: string) => (await db.selectFrom('artefacts').select('id').where('ownerId', '=', ownerId).execute()).map((a) => a.id);

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'polku-guardian-carry-'));
    app = await startTestApp();
    db = app.database.db;
    h = await localHarness();
    w = await world();
    await setting('shown');
    await comment(w.c.guardian, text.shown);
    await comment(w.c.guardian2, text.shown2);
    const hidden = await comment(w.c.guardian, text.hidden);
    expect((await w.c.teacher.post(`/api/guardian-comments/${hidden.id}/moderation`, { action: 'hide' })).status).toBe(200);
    const reported = await comment(w.c.guardian2, text.reported);
    expect((await w.c.pupil.post(`/api/guardian-comments/${reported.id}/report`, {})).status).toBe(200);
    await setting('moderated');
    expect((await comment(w.c.guardian, text.held)).state).toBe('held');
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await app?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('only current guardians’ reactions count: a guardian whose link ended counts no more', async () => {
    await react(w.c.guardian, 'heart');
    await react(w.c.guardian2, 'heart');
    await react(w.c.guardian2, 'star');
    expect(await counts(w.c.pupil, w.work.id)).toEqual({ heart: 2, star: 1 });
    const removed = await w.c.admin.delete(`/api/guardian-links/${w.guardian2.id}/${w.pupil.id}`);
    expect(removed.status, removed.text).toBe(200);
    expect(await counts(w.c.pupil, w.work.id)).toEqual({ heart: 1 });
    expect(await counts(w.c.guardian, w.work.id)).toEqual({ heart: 1 });
  });

  it('a full export holds the shown comments and the counts, no held, hidden or reported comment, in portfolio.json, the offline site and LEAP2A', async () => {
    const { entries } = await exportOf(w.pupil.id, 'full', 'full.zip');
    const artefact = documentOf(entries).artefacts.find((a) => a.id === w.work.id);
    expect(artefact?.guardianComments).toEqual([
      expect.objectContaining({
        body: text.shown,
        state: 'shown',
        author: { id: w.guardian.id, displayName: 'Äiti Oppilas', role: 'guardian', imported: false },
      }),
      // A comment of a guardian whose link has ended stays the pupil's to read.
      expect.objectContaining({ body: text.shown2, state: 'shown', author: expect.objectContaining({ id: w.guardian2.id, role: 'guardian' }) }),
    ]);
    expect(artefact?.guardianReactions).toEqual({ heart: 1 });
    for (const [name, bytes] of entries) for (const t of [text.held, text.hidden, text.reported]) expect(bytes.toString('utf8'), name).not.toContain(t);
    const page = entries.get(`site/artefact-${w.work.id}.html`)?.toString('utf8') ?? '';
    expect(page).toContain('Huoltajien reaktiot ja kommentit');
    expect(page).toContain('Huoltajalta');
    expect(page).toContain(text.shown);
    expect(page).toContain('Ihana: 1');
    const leap = entries.get(ARCHIVE_PATHS.leap2a)?.toString('utf8') ?? '';
    expect(leap).toContain(text.shown);
    expect(leap).toMatch(/kind="guardianComment"/);
    expect(leap).toMatch(/authorRole="guardian"/);
  });

  it("a guardian's (shared) export holds no guardian comment or reaction, and no guardian's name", async () => {
    const { entries } = await exportOf(w.pupil.id, 'shared', 'shared.zip');
    const artefact = documentOf(entries).artefacts.find((a) => a.id === w.work.id);
    expect(artefact).toBeDefined();
    expect(artefact?.guardianComments).toBeUndefined();
    expect(artefact?.guardianReactions).toBeUndefined();
    for (const [name, bytes] of entries) {
      const s = bytes.toString('utf8');
      for (const t of [text.shown, text.shown2, 'Äiti Oppilas', 'Isä Oppilas']) expect(s, name).not.toContain(t);
    }
  });

  it('import into another pupil keeps the shown comments by name only, never linked to the guardian account, and no reactions', async () => {
    const { file } = await exportOf(w.pupil.id, 'full', 'carry.zip');
    const { preview, report } = await importInto(w.other.id, file);
    expect(report.created.artefacts).toBe(1);
    expect(preview.items.filter((i) => i.type === 'feedback' && i.action === 'create').map((i) => i.title)).toEqual(
      expect.arrayContaining([text.shown, text.shown2]),
    );
    const [artefactId] = await artefactsOf(w.other.id);
    const rows = await commentsOn([artefactId ?? '']);
    expect(rows.map((r) => ({ body: r.body, state: r.state, authorId: r.authorId, pupilId: r.pupilId, importedAuthor: r.importedAuthor }))).toEqual([
      {
        body: text.shown,
        state: 'shown',
        authorId: null,
        pupilId: w.other.id,
        importedAuthor: { id: w.guardian.id, displayName: 'Äiti Oppilas', role: 'guardian', imported: true },
      },
      { body: text.shown2, state: 'shown', authorId: null, pupilId: w.other.id, importedAuthor: expect.objectContaining({ imported: true, role: 'guardian' }) },
    ]);
    expect(
      await voiceDb(db)
        .selectFrom('guardianReactions')
        .select('id')
        .where('artefactId', '=', artefactId ?? '')
        .execute(),
    ).toEqual([]);
    // The new pupil reads them; the guardian, who is nobody to that pupil, reads nothing and is named nowhere as their author.
    const seen = await w.c.other.get<GuardianVoice>(`/api/artefacts/${artefactId}/guardian-voice`);
    expect(seen.body.comments.map((c) => ({ body: c.body, author: c.author, mine: c.mine }))).toEqual([
      { body: text.shown, author: null, mine: false },
      { body: text.shown2, author: null, mine: false },
    ]);
    expect((await w.c.guardian.get(`/api/artefacts/${artefactId}/guardian-voice`)).status).toBe(404);
    // Exported again, they stay what they are: a name, marked as imported.
    const again = documentOf((await exportOf(w.other.id, 'full', 'other.zip')).entries);
    expect(again.artefacts[0]?.guardianComments?.map((c) => c.author)).toEqual([
      { id: w.guardian.id, displayName: 'Äiti Oppilas', role: 'guardian', imported: true },
      expect.objectContaining({ imported: true }),
    ]);
  });

  it('a forged archive naming a real guardian (or the pupil) as author links no one, and brings no held comment', async () => {
    const { entries } = await exportOf(w.pupil.id, 'full', 'forge-base.zip');
    const doc = documentOf(entries);
    const base = doc.artefacts.find((a) => a.id === w.work.id);
    if (!base) throw new Error('missing artefact');
    const claim = (u: { id: string; displayName: string }) => ({ id: u.id, displayName: u.displayName, role: 'guardian' as const, imported: false });
    const forged: PortfolioDocument = {
      ...doc,
      pupil: { ...doc.pupil, id: w.other.id },
      projects: [],
      showcases: [],
      goalAssessments: [],
      artefacts: [
        {
          ...base,
          id: randomUUID(),
          projectId: null,
          phaseId: null,
          goalIds: [],
          media: [],
          versions: [],
          feedback: [],
          events: [],
          guardianComments: [
            { id: randomUUID(), author: claim(w.guardian), body: 'Väärennetty äidin kommentti', state: 'shown', createdAt: base.createdAt },
            { id: randomUUID(), author: claim(w.other), body: 'Väärennetty oppilaan kommentti', state: 'shown', createdAt: base.createdAt },
            { id: randomUUID(), author: claim(w.guardian), body: 'Väärennetty odottava', state: 'held', createdAt: base.createdAt },
          ],
          guardianReactions: { heart: 99 },
        },
      ],
    };
    const file = await zipOf(forged, 'forged.zip');
    const before = new Set(await artefactsOf(w.other.id));
    const { report } = await importInto(w.other.id, file);
    expect(report.created.artefacts).toBe(1);
    const created = (await artefactsOf(w.other.id)).filter((id) => !before.has(id));
    const rows = await commentsOn(created);
    expect(rows.map((r) => [r.body, r.authorId, r.state, r.importedAuthor?.imported])).toEqual([
      ['Väärennetty äidin kommentti', null, 'shown', true],
      ['Väärennetty oppilaan kommentti', null, 'shown', true],
    ]);
    expect(await voiceDb(db).selectFrom('guardianReactions').select('id').where('artefactId', 'in', created).execute()).toEqual([]);
    // The guardian named gains nothing: no access, and no comment counted as theirs.
    expect((await w.c.guardian.get(`/api/artefacts/${created[0]}/guardian-voice`)).status).toBe(404);
    expect(
      await voiceDb(db).selectFrom('guardianComments').select('id').where('authorId', '=', w.guardian.id).where('artefactId', 'in', created).execute(),
    ).toEqual([]);
  });

  it('importing again skips what is there: no comment twice, even when the archive brings new feedback to the work', async () => {
    const { entries } = await exportOf(w.pupil.id, 'full', 'again-base.zip');
    // The same archive with one feedback message more on the work, so that the work is planned (to receive it).
    const doc = documentOf(entries);
    const base = doc.artefacts.find((a) => a.id === w.work.id);
    if (!base) throw new Error('missing artefact');
    base.feedback.push({ id: randomUUID(), parentId: null, author: null, body: 'Uusi palaute', createdAt: base.createdAt, editedAt: null });
    const file = await zipOf(doc, 'again.zip');
    const mine = await artefactsOf(w.pupil.id);
    const beforeMine = (await commentsOn(mine)).length;
    const { preview, report } = await importInto(w.pupil.id, file);
    expect(preview.items.find((i) => i.type === 'artefact' && i.sourceId === w.work.id)?.action).toBe('skip');
    expect(report.created.feedback).toBe(1);
    expect(await commentsOn(await artefactsOf(w.pupil.id))).toHaveLength(beforeMine);
    // The other pupil's own export, imported back into them, adds nothing either.
    const { file: otherFile } = await exportOf(w.other.id, 'full', 'other-again.zip');
    const theirs = await artefactsOf(w.other.id);
    const beforeTheirs = (await commentsOn(theirs)).length;
    await importInto(w.other.id, otherFile);
    expect(await commentsOn(await artefactsOf(w.other.id))).toHaveLength(beforeTheirs);
  });

  // Issue 12 §2 on showcases (§3): a showcase's voice travels as an artefact's does (optional fields, format 4).
  // After the tests above: guardian2's link has ended, so only the first guardian writes here.
  describe('on a showcase', () => {
    let showcaseId: string;
    const said = { shown: 'Ihana kooste!', reported: 'Ilmiannettu kooste-kommentti' };
    const showcasesOf = async (ownerId: string) =>
      (await showcasesDb(db).selectFrom('showcases').select('id').where('ownerId', '=', ownerId).execute()).map((s) => s.id);
    const showcaseComments = (ids: string[]) =>
      ids.length ? voiceDb(db).selectFrom('guardianComments').selectAll().where('showcaseId', 'in', ids).orderBy('createdAt').execute() : Promise.resolve([]);

    beforeAll(async () => {
      await setting('shown');
      const created = await w.c.pupil.post<Showcase>('/api/showcases', { title: 'Vuoden parhaat' });
      expect(created.status, created.text).toBe(201);
      showcaseId = created.body.id;
      expect((await w.c.pupil.patch(`/api/showcases/${showcaseId}`, { visibility: 'guardians' })).status).toBe(200);
      for (const body of [said.shown, said.reported]) {
        const res = await w.c.guardian.post<GuardianComment>(`/api/showcases/${showcaseId}/guardian-comments`, { body });
        expect(res.status, res.text).toBe(201);
        if (body === said.reported) expect((await w.c.pupil.post(`/api/guardian-comments/${res.body.id}/report`, {})).status).toBe(200);
      }
      for (const reaction of ['heart', 'wow'])
        expect((await w.c.guardian.put(`/api/showcases/${showcaseId}/guardian-reactions`, { reaction, given: true })).status).toBe(200);
    });

    it("the pupil's export holds its shown comments and counts; a guardian's export neither, nor any guardian's name", async () => {
      const fullEntries = (await exportOf(w.pupil.id, 'full', 'showcase-full.zip')).entries;
      const full = documentOf(fullEntries).showcases?.find((s) => s.id === showcaseId);
      expect(full?.guardianComments).toEqual([
        expect.objectContaining({
          body: said.shown,
          state: 'shown',
          author: { id: w.guardian.id, displayName: 'Äiti Oppilas', role: 'guardian', imported: false },
        }),
      ]);
      expect(full?.guardianReactions).toEqual({ heart: 1, wow: 1 });
      // The offline site's showcase page shows them as a work's page does.
      const page = fullEntries.get(`site/showcase-${showcaseId}.html`)?.toString('utf8') ?? '';
      expect(page).toContain('Huoltajien reaktiot ja kommentit');
      expect(page).toContain('Huoltajalta');
      expect(page).toContain(said.shown);
      expect(page).not.toContain(said.reported);
      const { entries } = await exportOf(w.pupil.id, 'shared', 'showcase-shared.zip');
      const shared = documentOf(entries).showcases?.find((s) => s.id === showcaseId);
      expect(shared).toBeDefined();
      expect(shared?.guardianComments).toBeUndefined();
      expect(shared?.guardianReactions).toBeUndefined();
      for (const [name, bytes] of entries) for (const t of [said.shown, said.reported, 'Äiti Oppilas']) expect(bytes.toString('utf8'), name).not.toContain(t);
    });

    it('import into another pupil brings the shown comments onto the new showcase by name only, and no reactions', async () => {
      const { file } = await exportOf(w.pupil.id, 'full', 'showcase-carry.zip');
      const before = new Set(await showcasesOf(w.other.id));
      const { preview } = await importInto(w.other.id, file);
      expect(preview.items.filter((i) => i.type === 'feedback' && i.action === 'create').map((i) => i.title)).toContain(said.shown);
      const created = (await showcasesOf(w.other.id)).filter((id) => !before.has(id));
      expect(created).toHaveLength(1);
      const rows = await showcaseComments(created);
      expect(
        rows.map((r) => ({
          body: r.body,
          state: r.state,
          authorId: r.authorId,
          pupilId: r.pupilId,
          artefactId: r.artefactId,
          importedAuthor: r.importedAuthor,
        })),
      ).toEqual([
        {
          body: said.shown,
          state: 'shown',
          authorId: null,
          pupilId: w.other.id,
          artefactId: null,
          importedAuthor: { id: w.guardian.id, displayName: 'Äiti Oppilas', role: 'guardian', imported: true },
        },
      ]);
      expect(await voiceDb(db).selectFrom('guardianReactions').select('id').where('showcaseId', 'in', created).execute()).toEqual([]);
      // The new pupil reads it (unnamed); the guardian, nobody to that pupil, reads nothing.
      const seen = await w.c.other.get<GuardianVoice>(`/api/showcases/${created[0]}/guardian-voice`);
      expect(seen.body.comments.map((c) => ({ body: c.body, author: c.author, mine: c.mine }))).toEqual([{ body: said.shown, author: null, mine: false }]);
      expect((await w.c.guardian.get(`/api/showcases/${created[0]}/guardian-voice`)).status).toBe(404);
      // Exported again, it stays what it is: a name, marked as imported.
      const again = documentOf((await exportOf(w.other.id, 'full', 'showcase-other.zip')).entries).showcases?.find((s) => s.id === created[0]);
      expect(again?.guardianComments?.map((c) => c.author)).toEqual([{ id: w.guardian.id, displayName: 'Äiti Oppilas', role: 'guardian', imported: true }]);
    });

    it('an archive whose showcases carry no guardian voice (written before) still imports', async () => {
      const doc = documentOf((await exportOf(w.pupil.id, 'full', 'showcase-old-base.zip')).entries);
      const old: PortfolioDocument = { ...doc, showcases: (doc.showcases ?? []).map(({ guardianComments: _c, guardianReactions: _r, ...s }) => s) };
      const before = new Set(await showcasesOf(w.other.id));
      await importInto(w.other.id, await zipOf(old, 'showcase-old.zip'));
      const created = (await showcasesOf(w.other.id)).filter((id) => !before.has(id));
      expect(created).toHaveLength(1);
      expect(await showcaseComments(created)).toEqual([]);
    });
  });
});
