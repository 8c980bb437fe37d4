import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact, ArtefactVersion, GroupOverview, TimelinePage } from '../../shared/api/artefacts.ts';
import type { Digest } from '../../shared/api/digest.ts';
import type { ApprovalQueue } from '../../shared/api/guardian-sharing.ts';
import { loadPortfolioDocument } from '../../server/modules/portability/export/portfolio-document.ts';
import { artefactForm } from '../helpers/artefact-upload.ts';
import { addMember, linkGuardian, makeGroup, makeProject, makeSchool, makeUser } from '../helpers/factories.ts';
import { liveListeners } from '../helpers/live-listener.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

/**
 * Issue 12 §1: where work sits (project, phase, goals, subjects, competences) is part of what a teacher approves.
 * Under the approval rule a move of approved work waits like an edit: guardians keep the approved placement on
 * every read path (the page, the timeline's filters, goal evidence, the digest, the export) until a teacher
 * approves the move; shared directly, guardians see it at once.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
const { listen, closeAll } = liveListeners(() => app.url);
afterAll(async () => {
  closeAll();
  await app?.close();
});

async function world(mode: 'direct' | 'approval') {
  const db = app.database.db;
  const school = await makeSchool(db);
  const group = await makeGroup(db, school.id);
  const [pupil, teacher, admin, guardian] = await Promise.all([
    makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Aino Oppilas' }),
    makeUser(db, { role: 'teacher', schoolId: school.id }),
    makeUser(db, { role: 'admin', schoolId: school.id }),
    makeUser(db, { role: 'guardian', schoolId: school.id }),
  ]);
  await addMember(db, group.id, pupil.id, 'pupil');
  await addMember(db, group.id, teacher.id, 'teacher');
  await linkGuardian(db, guardian.id, pupil.id);
  const from = await makeProject(db, { schoolId: school.id, teacherIds: [teacher.id], groupIds: [group.id], title: 'Metsäprojekti' });
  const to = await makeProject(db, { schoolId: school.id, teacherIds: [teacher.id], groupIds: [group.id], title: 'Vesiprojekti' });
  const c = {
    pupil: await app.as(pupil.username),
    teacher: await app.as(teacher.username),
    admin: await app.as(admin.username),
    guardian: await app.as(guardian.username),
  };
  if (mode === 'approval') {
    const res = await c.admin.put(`/api/schools/${school.id}/guardian-sharing`, { guardianSharing: 'approval' });
    expect(res.status, res.text).toBe(200);
  }
  return { group, pupil, from, to, c };
}
type World = Awaited<ReturnType<typeof world>>;

/** Shared work in the first project: its phase, its goal, biology and one competence. */
async function shareWork(w: World): Promise<Artefact> {
  const res = await w.c.pupil.post<Artefact>(
    '/api/artefacts',
    artefactForm({
      title: 'Ruskaretki',
      bodyHtml: '<p>Havainto</p>',
      visibility: 'guardians',
      projectId: w.from.id,
      phaseId: w.from.phaseId,
      goalIds: [w.from.goalId],
      subjectCodes: ['BI'],
      competenceIds: ['basic:L4'],
    }),
  );
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** The move: the other project, its phase and goal, geography, no competence; the content stays the same. */
async function move(w: World, id: string): Promise<Artefact> {
  const res = await w.c.pupil.patch<Artefact>(`/api/artefacts/${id}`, {
    projectId: w.to.id,
    phaseId: w.to.phaseId,
    goalIds: [w.to.goalId],
    subjectCodes: ['GE'],
    competenceIds: [],
  });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function ids(client: TestClient, pupilId: string, query: string): Promise<string[]> {
  const res = await client.get<TimelinePage>(`/api/pupils/${pupilId}/artefacts?${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body.items.map((i) => i.id);
}
async function evidence(client: TestClient, goalId: string, pupilId: string): Promise<string[]> {
  const res = await client.get<{ evidence: Array<{ id: string }> }>(`/api/goals/${goalId}/pupils/${pupilId}`);
  expect(res.status, res.text).toBe(200);
  return res.body.evidence.map((e) => e.id);
}
async function digestGoals(client: TestClient): Promise<string[]> {
  const res = await client.get<Digest>('/api/digest');
  expect(res.status, res.text).toBe(200);
  return res.body.children.flatMap((c) => c.goals.map((g) => g.goalId));
}
async function exported(pupilId: string, artefactId: string) {
  const { document } = await loadPortfolioDocument(app.database.db, pupilId, 'shared', 'fi');
  const doc = document.artefacts.find((a) => a.id === artefactId);
  return doc && { projectId: doc.projectId, phaseId: doc.phaseId, goalIds: doc.goalIds, subjectCodes: doc.subjectCodes, competenceIds: doc.competenceIds };
}

/** Everything a guardian reads of the work's placement says it sits where `at` says. */
async function guardianSees(w: World, work: Artefact, at: 'from' | 'to') {
  const here = at === 'from' ? w.from : w.to;
  const there = at === 'from' ? w.to : w.from;
  const placement =
    at === 'from'
      ? { projectId: w.from.id, phaseId: w.from.phaseId, goalIds: [w.from.goalId], subjectCodes: ['BI'], competenceIds: ['basic:L4'] }
      : { projectId: w.to.id, phaseId: w.to.phaseId, goalIds: [w.to.goalId], subjectCodes: ['GE'], competenceIds: [] };
  const page = await w.c.guardian.get<Artefact>(`/api/artefacts/${work.id}`);
  expect(page.status, page.text).toBe(200);
  expect(page.body).toMatchObject({ title: 'Ruskaretki', ...placement });
  const timeline = await w.c.guardian.get<TimelinePage>(`/api/pupils/${w.pupil.id}/artefacts`);
  expect(timeline.body.items.find((i) => i.id === work.id)).toMatchObject(placement);
  // The timeline's filters match the placement guardians see, and not the other one.
  expect(await ids(w.c.guardian, w.pupil.id, `projectId=${here.id}`)).toEqual([work.id]);
  expect(await ids(w.c.guardian, w.pupil.id, `projectId=${there.id}`)).toEqual([]);
  expect(await ids(w.c.guardian, w.pupil.id, `subject=${at === 'from' ? 'BI' : 'GE'}`)).toEqual([work.id]);
  expect(await ids(w.c.guardian, w.pupil.id, `subject=${at === 'from' ? 'GE' : 'BI'}`)).toEqual([]);
  expect(await ids(w.c.guardian, w.pupil.id, 'competence=basic:L4')).toEqual(at === 'from' ? [work.id] : []);
  // Goal evidence and the digest's goals worked on.
  expect(await evidence(w.c.guardian, here.goalId, w.pupil.id)).toEqual([work.id]);
  expect(await evidence(w.c.guardian, there.goalId, w.pupil.id)).toEqual([]);
  const goals = await digestGoals(w.c.guardian);
  expect(goals).toContain(here.goalId);
  expect(goals).not.toContain(there.goalId);
  // The guardian's export.
  expect(await exported(w.pupil.id, work.id)).toEqual(placement);
}

describe('a move of approved work under the approval rule', () => {
  it('waits for a teacher: guardians keep the approved project, phase, goals, subjects and competences until the move is approved', async () => {
    const w = await world('approval');
    const work = await shareWork(w);
    expect((await w.c.teacher.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 1 })).status).toBe(200);
    await guardianSees(w, work, 'from');
    const guardianLive = await listen(w.c.guardian);

    // The move is a version of its own, and it waits in the queue as a re-approval.
    const moved = await move(w, work.id);
    expect(moved).toMatchObject({ version: 2, projectId: w.to.id, goalIds: [w.to.goalId], subjectCodes: ['GE'] });
    const waiting = await w.c.teacher.get<ApprovalQueue>('/api/guardian-approvals');
    expect(waiting.body.items).toEqual([expect.objectContaining({ artefactId: work.id, version: 2, reapproval: true })]);

    // The pupil and the teacher see the work where it is now.
    expect(await ids(w.c.pupil, w.pupil.id, `projectId=${w.to.id}`)).toEqual([work.id]);
    expect(await ids(w.c.teacher, w.pupil.id, `projectId=${w.to.id}`)).toEqual([work.id]);
    expect(await ids(w.c.teacher, w.pupil.id, `projectId=${w.from.id}`)).toEqual([]);
    expect(await evidence(w.c.teacher, w.to.goalId, w.pupil.id)).toEqual([work.id]);
    expect(await evidence(w.c.teacher, w.from.goalId, w.pupil.id)).toEqual([]);

    // Guardians: the approved placement everywhere, and no live event with the new one.
    await guardianSees(w, work, 'from');
    expect(JSON.stringify(guardianLive.named('artefact.updated'))).not.toContain(w.to.id);

    // The history marks the version that moved the work.
    const history = await w.c.pupil.get<{ versions: ArtefactVersion[] }>(`/api/artefacts/${work.id}/history`);
    expect(history.body.versions.map((v) => [v.version, v.moved])).toEqual([
      [2, true],
      [1, false],
    ]);

    expect((await w.c.teacher.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 2 })).status).toBe(200);
    await guardianSees(w, work, 'to');
  });

  it('a goal removed from the project since the approved version is not named to guardians', async () => {
    const w = await world('approval');
    const work = await shareWork(w);
    await w.c.teacher.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 1 });
    await move(w, work.id);
    await app.database.db.deleteFrom('projectGoals').where('id', '=', w.from.goalId).execute();
    const page = await w.c.guardian.get<Artefact>(`/api/artefacts/${work.id}`);
    expect(page.body).toMatchObject({ projectId: w.from.id, goalIds: [] });
    expect((await exported(w.pupil.id, work.id))?.goalIds).toEqual([]);
  });

  it('a move answers no feedback, and is no revision in the teacher’s overview', async () => {
    const w = await world('approval');
    const work = await shareWork(w);
    const feedback = await w.c.teacher.post<{ id: string }>(`/api/artefacts/${work.id}/feedback`, { body: 'Lisää kuva?', parentId: null, revise: true });
    expect(feedback.status, feedback.text).toBe(201);
    const answering = await w.c.pupil.patch(`/api/artefacts/${work.id}`, { subjectCodes: ['GE'], answersFeedbackIds: [feedback.body.id] });
    expect(answering.status).toBe(400);
    await move(w, work.id);
    const overview = await w.c.teacher.get<GroupOverview>(`/api/groups/${w.group.id}/overview`);
    expect(overview.status, overview.text).toBe(200);
    expect(overview.body.revised.map((r) => r.artefactId)).not.toContain(work.id);
    // A change of the work itself still is one.
    const edited = await w.c.pupil.patch<Artefact>(`/api/artefacts/${work.id}`, {
      bodyHtml: '<p>Havainto ja kuva</p>',
      answersFeedbackIds: [feedback.body.id],
    });
    expect(edited.status, edited.text).toBe(200);
    const after = await w.c.teacher.get<GroupOverview>(`/api/groups/${w.group.id}/overview`);
    expect(after.body.revised).toContainEqual(expect.objectContaining({ artefactId: work.id, version: 3 }));
  });
});

describe('shared directly', () => {
  it('guardians see a move at once, as before', async () => {
    const w = await world('direct');
    const work = await shareWork(w);
    await guardianSees(w, work, 'from');
    await move(w, work.id);
    await guardianSees(w, work, 'to');
  });
});
