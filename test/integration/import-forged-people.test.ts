import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtefactVersion } from '../../shared/api/artefacts.ts';
import type { Feedback } from '../../shared/api/feedback.ts';
import {
  ARCHIVE_PATHS,
  PORTFOLIO_FORMAT,
  PORTFOLIO_FORMAT_VERSION,
  type PersonRef,
  type PortfolioDocument,
} from '../../shared/portability/portfolio-format.ts';
import { applyImport, previewImport } from '../../server/modules/portability/import/import-archive.ts';
import { localHarness, type ImportHarness } from '../fixtures/hostile/import-harness.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import { makeArtefact, makeProject, makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// Issue 8, A1: an archive is the uploader's word. Whatever ids, roles and `imported` flags it gives
// the people it names, an import links no one but the target pupil to an account here.

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const BACK_THEN = '2019-09-02T08:00:00.000+03:00';

function archive(doc: PortfolioDocument): Buffer {
  const json = Buffer.from(JSON.stringify(doc));
  return buildZip([
    { name: ARCHIVE_PATHS.document, data: json },
    { name: ARCHIVE_PATHS.manifest, data: Buffer.from(`${sha256(json)}  ${ARCHIVE_PATHS.document}\n`) },
  ]);
}

function document(pupil: { id: string; username: string; displayName: string }, parts: Pick<PortfolioDocument, 'projects' | 'artefacts'>): PortfolioDocument {
  return {
    format: PORTFOLIO_FORMAT,
    version: PORTFOLIO_FORMAT_VERSION,
    exportedAt: BACK_THEN,
    generator: { name: 'polku', version: '0.1.0' },
    scope: 'full',
    locale: 'fi',
    pupil: { id: pupil.id, username: pupil.username, displayName: pupil.displayName, locale: null },
    schools: [],
    ...parts,
    reference: { subjects: [], competences: [] },
  };
}

const claim = (u: { id: string; displayName: string }, role: PersonRef['role']): PersonRef => ({ id: u.id, displayName: u.displayName, role, imported: false });

function artefact(o: {
  title: string;
  projectId?: string | null;
  phaseId?: string | null;
  feedback?: PortfolioDocument['artefacts'][number]['feedback'];
  versionAuthor?: PersonRef;
}) {
  return {
    id: randomUUID(),
    projectId: o.projectId ?? null,
    phaseId: o.phaseId ?? null,
    kind: 'text' as const,
    title: o.title,
    bodyHtml: '<p>Tuotu työ</p>',
    links: [],
    subjectCodes: [],
    competenceIds: [],
    goalIds: [],
    status: 'ready' as const,
    visibility: 'private' as const,
    version: 1,
    createdAt: BACK_THEN,
    updatedAt: BACK_THEN,
    readyAt: BACK_THEN,
    origin: null,
    media: [],
    versions: o.versionAuthor
      ? [
          {
            version: 1,
            author: o.versionAuthor,
            createdAt: BACK_THEN,
            title: o.title,
            bodyHtml: '<p>Tuotu työ</p>',
            status: 'ready' as const,
            visibility: 'private' as const,
            mediaIds: [],
          },
        ]
      : [],
    feedback: o.feedback ?? [],
  };
}

describe('imports link no one but the target pupil to an account (issue 8, A1)', () => {
  let app: TestApp;
  let h: ImportHarness;
  let work: string;
  let w: Awaited<ReturnType<typeof makeTwoSchools>>;

  beforeAll(async () => {
    app = await startTestApp();
    h = await localHarness();
    work = await mkdtemp(path.join(tmpdir(), 'polku-forged-'));
    w = await makeTwoSchools(app.database.db);
  });
  afterAll(async () => {
    await h?.close();
    await app?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function importAsPupil(name: string, doc: PortfolioDocument) {
    const file = path.join(work, name);
    await writeFile(file, archive(doc));
    const target = { kind: 'existing' as const, pupilId: w.pupil.id };
    const preview = await previewImport({ db: app.database.db, filePath: file, target });
    const report = await applyImport({ db: app.database.db, blobs: app.polku.blobs, filePath: file, target, actorId: w.pupil.id, media: h.media });
    return { preview, report };
  }

  it('a pupil who names themselves the teacher of an imported project does not become its teacher and reads no classmate’s work', async () => {
    const db = app.database.db;
    const projectId = randomUUID();
    const phaseId = randomUUID();
    const doc = document(w.pupil, {
      projects: [
        {
          id: projectId,
          title: 'Oma projekti',
          description: '',
          schoolYear: null,
          startsOn: null,
          endsOn: null,
          subjectCodes: [],
          competenceIds: [],
          phases: [{ id: phaseId, title: 'Tutkiminen' }],
          goals: [],
          // The pupil, under a made-up pupil id for the archive, and a real teacher of the school.
          teachers: [claim(w.pupil, 'teacher'), claim(w.teacher, 'teacher')],
          origin: null,
        },
      ],
      artefacts: [artefact({ title: 'Projektityö', projectId, phaseId })],
    });
    doc.pupil.id = randomUUID();
    const { report } = await importAsPupil('self-teacher.zip', doc);
    expect(report.created.projects).toBe(1);

    expect(await db.selectFrom('projectTeachers').selectAll().where('projectId', '=', projectId).execute()).toEqual([]);
    expect(await db.selectFrom('projectGroups').selectAll().where('projectId', '=', projectId).execute()).toEqual([]);
    const project = await db.selectFrom('projects').select(['importedTeachers']).where('id', '=', projectId).executeTakeFirstOrThrow();
    expect(project.importedTeachers.map((t) => [t.displayName, t.imported])).toEqual([
      [w.pupil.displayName, true],
      [w.teacher.displayName, true],
    ]);

    // As a teacher of the project the pupil could add their class to it and read what classmates put there.
    // The project is the pupil's own (issue 9, item 5): they see it (so 403, not 404) but cannot change it.
    const pupil = await app.as(w.pupil.username);
    expect((await pupil.patch(`/api/projects/${projectId}`, { groupIds: [w.group.id] })).status).toBe(403);
    const classmateWork = await makeArtefact(db, { ownerId: w.classmate.id, projectId, visibility: 'private' });
    expect((await pupil.get(`/api/artefacts/${classmateWork.id}`)).status).toBe(404);
    expect((await pupil.post(`/api/artefacts/${classmateWork.id}/feedback`, { body: 'Opettajana sanon: hyvä!' })).status).toBe(404);
    expect((await pupil.get(`/api/pupils/${w.classmate.id}/artefacts`)).status).toBe(404);
    // The real teacher named by the archive is not made a teacher either: as the pupil's group teacher they
    // read the pupil's project (403, not 404), and may not edit it.
    const teacher = await app.as(w.teacher.username);
    expect((await teacher.patch(`/api/projects/${projectId}`, { title: 'Muutettu' })).status).toBe(403);
    expect(await db.selectFrom('projects').select('title').where('id', '=', projectId).executeTakeFirstOrThrow()).toEqual({ title: 'Oma projekti' });
  });

  it('feedback forged from a real teacher of this and of another school is a name-only imported person, with its time kept', async () => {
    const db = app.database.db;
    const fromTeacher = randomUUID();
    const fromOtherSchool = randomUUID();
    const doc = document(w.pupil, {
      projects: [],
      artefacts: [
        artefact({
          title: 'Palautetta saanut työ',
          feedback: [
            { id: fromTeacher, parentId: null, author: claim(w.teacher, 'teacher'), body: 'Erinomaista, arvosana 10.', createdAt: BACK_THEN, editedAt: null },
            { id: fromOtherSchool, parentId: fromTeacher, author: claim(w.teacherB, 'admin'), body: 'Samaa mieltä.', createdAt: BACK_THEN, editedAt: null },
          ],
        }),
      ],
    });
    const { preview, report } = await importAsPupil('forged-feedback.zip', doc);
    expect(preview.items.filter((i) => i.type === 'feedback').map((i) => i.reasonCode)).toEqual(['feedback-imported', 'feedback-imported']);
    expect(report.created.feedback).toBe(2);

    const rows = await db.selectFrom('feedback').selectAll().where('id', 'in', [fromTeacher, fromOtherSchool]).orderBy('createdAt').orderBy('body').execute();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.authorId).toBeNull();
      expect(row.importedAuthor?.imported).toBe(true);
      expect(row.createdAt.toISOString()).toBe(new Date(BACK_THEN).toISOString());
    }
    const artefactId = rows[0]?.artefactId ?? '';
    const pupil = await app.as(w.pupil.username);
    const thread = await pupil.get<{ items: Feedback[] }>(`/api/artefacts/${artefactId}/feedback`);
    expect(thread.status).toBe(200);
    expect(thread.body.items.map((f) => f.author)).toEqual([null, null]);
    // Not the real teacher's words: they cannot edit or delete them as their own.
    const teacher = await app.as(w.teacher.username);
    expect((await teacher.patch(`/api/artefacts/${artefactId}/feedback/${fromTeacher}`, { body: 'muokattu' })).status).toBe(403);
  });

  it('a version forged from a teacher keeps no account; the pupil’s own version is theirs', async () => {
    const db = app.database.db;
    const forged = artefact({ title: 'Versio opettajalta', versionAuthor: claim(w.teacher, 'teacher') });
    const own = artefact({ title: 'Oma versio', versionAuthor: claim(w.pupil, 'pupil') });
    await importAsPupil('forged-version.zip', document(w.pupil, { projects: [], artefacts: [forged, own] }));
    const versions = await db.selectFrom('artefactVersions').selectAll().where('artefactId', 'in', [forged.id, own.id]).execute();
    expect(versions.find((v) => v.artefactId === forged.id)).toMatchObject({
      authorId: null,
      importedAuthor: { displayName: w.teacher.displayName, imported: true },
    });
    expect(versions.find((v) => v.artefactId === own.id)).toMatchObject({ authorId: w.pupil.id, importedAuthor: null });
    const pupil = await app.as(w.pupil.username);
    const history = await pupil.get<{ versions: Array<{ author: { id: string } | null }> }>(`/api/artefacts/${forged.id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.versions.map((v) => v.author)).toEqual([null]);
  });

  it('a person with no account here is shown by the APIs as imported, by name, with the imported time', async () => {
    const stranger: PersonRef = { id: null, displayName: 'Maija Mahara', role: 'teacher', imported: true };
    const feedbackId = randomUUID();
    const work = artefact({
      title: 'Vanhan koulun työ',
      versionAuthor: stranger,
      feedback: [{ id: feedbackId, parentId: null, author: stranger, body: 'Hienosti tehty.', createdAt: BACK_THEN, editedAt: null }],
    });
    await importAsPupil('stranger.zip', document(w.pupil, { projects: [], artefacts: [work] }));
    const pupil = await app.as(w.pupil.username);
    const thread = await pupil.get<{ items: Feedback[] }>(`/api/artefacts/${work.id}/feedback`);
    expect(thread.status).toBe(200);
    expect(thread.body.items).toEqual([
      expect.objectContaining({
        id: feedbackId,
        author: null,
        importedAuthor: { displayName: 'Maija Mahara', role: 'teacher' },
        createdAt: new Date(BACK_THEN).toISOString(),
      }),
    ]);
    const history = await pupil.get<{ versions: ArtefactVersion[] }>(`/api/artefacts/${work.id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.versions).toEqual([
      expect.objectContaining({ author: null, importedAuthor: { displayName: 'Maija Mahara', role: 'teacher' }, createdAt: new Date(BACK_THEN).toISOString() }),
    ]);
    // What the app writes itself is nobody's import.
    const mine = await pupil.post<Feedback>(`/api/artefacts/${work.id}/feedback`, { body: 'Kiitos!' });
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({ author: { id: w.pupil.id }, importedAuthor: null });
  });

  it('work naming another school’s or another group’s project is not put into it: the pupil gets their own copy', async () => {
    const db = app.database.db;
    const foreign = await makeProject(db, { schoolId: w.schoolB.id, teacherIds: [w.teacherB.id] });
    const otherGroupProject = await makeProject(db, { schoolId: w.schoolA.id, teacherIds: [w.otherTeacher.id], groupIds: [w.otherGroup.id] });
    const projectDoc = (p: typeof foreign) => ({
      id: p.id,
      title: p.title,
      description: '',
      schoolYear: null,
      startsOn: null,
      endsOn: null,
      subjectCodes: [],
      competenceIds: [],
      phases: [{ id: p.phaseId, title: 'Tutkiminen' }],
      goals: [{ id: p.goalId, text: 'Osaan' }],
      teachers: [claim(w.pupil, 'teacher')],
      origin: null,
    });
    const a1 = artefact({ title: 'Vieraan koulun projektiin', projectId: foreign.id, phaseId: foreign.phaseId });
    const a2 = artefact({ title: 'Toisen ryhmän projektiin', projectId: otherGroupProject.id, phaseId: otherGroupProject.phaseId });
    const { report } = await importAsPupil(
      'foreign-projects.zip',
      document(w.pupil, { projects: [projectDoc(foreign), projectDoc(otherGroupProject)], artefacts: [a1, a2] }),
    );
    expect(report.items.filter((i) => i.type === 'project').map((i) => [i.action, i.reasonCode])).toEqual([
      ['create', 'project-new-id'],
      ['create', 'project-new-id'],
    ]);
    const rows = await db.selectFrom('artefacts').select(['id', 'projectId', 'phaseId']).where('id', 'in', [a1.id, a2.id]).execute();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect([foreign.id, otherGroupProject.id]).not.toContain(row.projectId);
      expect([foreign.phaseId, otherGroupProject.phaseId]).not.toContain(row.phaseId);
      expect(row.projectId).not.toBeNull();
    }
    // The teachers of those projects do not see the pupil's work, nor does the pupil join them.
    for (const [username, id] of [
      [w.teacherB.username, a1.id],
      [w.otherTeacher.username, a2.id],
    ] as const) {
      expect((await (await app.as(username)).get(`/api/artefacts/${id}`)).status).toBe(404);
    }
    expect(await db.selectFrom('projectTeachers').select('userId').where('projectId', 'in', [foreign.id, otherGroupProject.id]).execute()).toHaveLength(2);
    expect(await db.selectFrom('projectGroups').select('groupId').where('projectId', 'in', [foreign.id, otherGroupProject.id]).execute()).toHaveLength(1);
  });

  it('into a new account an archive cannot take over an existing user’s id for anyone but the new pupil', async () => {
    const db = app.database.db;
    // The archive claims the teacher is the pupil: the new account then gets a fresh id, and nothing links to the teacher.
    const doc = document(
      { id: w.teacher.id, username: 'uusi.oppilas', displayName: 'Uusi Oppilas' },
      {
        projects: [],
        artefacts: [
          artefact({
            title: 'Uuden tilin työ',
            versionAuthor: claim(w.teacher, 'teacher'),
            feedback: [{ id: randomUUID(), parentId: null, author: claim(w.admin, 'admin'), body: 'Hyvä', createdAt: BACK_THEN, editedAt: null }],
          }),
        ],
      },
    );
    const file = path.join(work, 'new-account.zip');
    await writeFile(file, archive(doc));
    const report = await applyImport({
      db,
      blobs: app.polku.blobs,
      filePath: file,
      target: { kind: 'new', schoolId: w.schoolA.id },
      actorId: w.admin.id,
      media: h.media,
    });
    expect(report.pupilId).not.toBe(w.teacher.id);
    const artefactId = doc.artefacts[0]?.id ?? '';
    const version = await db.selectFrom('artefactVersions').selectAll().where('artefactId', '=', artefactId).executeTakeFirstOrThrow();
    expect(version.authorId).toBe(report.pupilId);
    const feedback = await db.selectFrom('feedback').selectAll().where('artefactId', '=', artefactId).executeTakeFirstOrThrow();
    expect(feedback).toMatchObject({ authorId: null, importedAuthor: { imported: true } });
  });
});
