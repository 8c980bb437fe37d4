import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GoalAssessment, GoalPage } from '../../shared/api/goal-assessments.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import { makeArtefact, makeProject, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 10, section 2: self-assessments and teachers' levels on a goal, kept over time, seen by whom the policy says.
let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let project: Awaited<ReturnType<typeof makeProject>>;
let projectTeacher: Awaited<ReturnType<typeof makeUser>>;
const as = new Map<string, TestClient>();
const client = (name: string) => as.get(name)!;
const sockets: Array<Socket<ServerToClientEvents, ClientToServerEvents>> = [];

const pagePath = () => `/api/goals/${project.goalId}/pupils/${w.pupil.id}`;
const assessPath = () => `${pagePath()}/assessments`;

async function linkedArtefact(options: { visibility?: 'private' | 'guardians'; ownerId?: string } = {}) {
  const artefact = await makeArtefact(app.database.db, {
    ownerId: options.ownerId ?? w.pupil.id,
    projectId: project.id,
    visibility: options.visibility ?? 'private',
  });
  await app.database.db
    .updateTable('artefacts')
    .set({ goalIds: [project.goalId] })
    .where('id', '=', artefact.id)
    .execute();
  return artefact;
}

beforeAll(async () => {
  app = await startTestApp();
  w = await makeTwoSchools(app.database.db);
  projectTeacher = await makeUser(app.database.db, { role: 'teacher', schoolId: w.schoolA.id });
  project = await makeProject(app.database.db, { schoolId: w.schoolA.id, teacherIds: [projectTeacher.id], groupIds: [w.group.id] });
  await app.database.db
    .updateTable('projectGoals')
    .set({ successCriteria: ['Nimeän kolme lajia'] })
    .where('id', '=', project.goalId)
    .execute();
  for (const name of ['pupil', 'classmate', 'teacher', 'otherTeacher', 'guardian', 'otherGuardian', 'admin', 'teacherB'] as const)
    as.set(name, await app.as(w[name].username));
  as.set('projectTeacher', await app.as(projectTeacher.username));
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await app?.close();
});

describe('the goal page', () => {
  it('shows the goal, its criteria, the project scale and the empty history to the pupil, who may self-assess', async () => {
    const res = await client('pupil').get<GoalPage>(pagePath());
    expect(res.status).toBe(200);
    expect(res.body.goal).toMatchObject({ id: project.goalId, text: 'Osaan havainnoida luontoa', successCriteria: ['Nimeän kolme lajia'] });
    expect(res.body.project).toMatchObject({ id: project.id, subjectCodes: ['BI', 'GE'] });
    expect(res.body.scale.builtinKey).toBe('growth4');
    expect(res.body.canAssess).toBe('self');
    expect(res.body.canShare).toBe(true);
  });

  it('lists the evidence linked to the goal that the viewer may see: a guardian only shared work', async () => {
    const hidden = await linkedArtefact();
    const shared = await linkedArtefact({ visibility: 'guardians' });
    const unlinked = await makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: project.id });
    const pupil = (await client('pupil').get<GoalPage>(pagePath())).body.evidence.map((e) => e.id);
    expect(pupil).toEqual(expect.arrayContaining([hidden.id, shared.id]));
    expect(pupil).not.toContain(unlinked.id);
    const guardian = (await client('guardian').get<GoalPage>(pagePath())).body;
    expect(guardian.evidence.map((e) => e.id)).toContain(shared.id);
    expect(guardian.evidence.map((e) => e.id)).not.toContain(hidden.id);
    expect(guardian.canAssess).toBeNull();
    expect(guardian.canShare).toBe(false);
  });

  it('is not found for a classmate, a teacher of another group, the other guardian, an admin, and another school', async () => {
    for (const name of ['classmate', 'otherTeacher', 'otherGuardian', 'admin', 'teacherB']) {
      const res = await client(name).get(pagePath());
      expect(res.status, name).toBe(404);
      expect((await client(name).post(assessPath(), { level: 1 })).status, name).toBe(404);
    }
  });

  it('is not found for a pupil who does not take part in the project', async () => {
    const outsider = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
    expect((await client('teacher').get(`/api/goals/${project.goalId}/pupils/${outsider.id}`)).status).toBe(404);
  });
});

describe('assessing a goal', () => {
  it('the pupil self-assesses with a reflection and evidence; the group teacher and the project teacher record levels; every one is kept', async () => {
    const evidence = await linkedArtefact();
    const first = await client('pupil').post<GoalAssessment>(assessPath(), { level: 0, reflection: 'Vielä vaikeaa\nmutta opin', artefactIds: [evidence.id] });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      kind: 'self',
      level: 0,
      reflection: 'Vielä vaikeaa\nmutta opin',
      artefactIds: [evidence.id],
      sharedWithGuardians: false,
    });
    const second = await client('pupil').post<GoalAssessment>(assessPath(), { level: 2 });
    expect(second.status).toBe(201);
    const teacher = await client('teacher').post<GoalAssessment>(assessPath(), { level: 1, artefactIds: [evidence.id] });
    expect(teacher.status).toBe(201);
    expect(teacher.body).toMatchObject({ kind: 'teacher', assessor: { id: w.teacher.id } });
    const byProjectTeacher = await client('projectTeacher').post<GoalAssessment>(assessPath(), { level: 3 });
    expect(byProjectTeacher.status).toBe(201);

    const page = (await client('teacher').get<GoalPage>(pagePath())).body;
    expect(page.canAssess).toBe('teacher');
    const ids = page.assessments.map((a) => a.id);
    expect(ids).toEqual(expect.arrayContaining([first.body.id, second.body.id, teacher.body.id, byProjectTeacher.body.id]));
    // Oldest first, nothing overwritten: the first self-assessment is still level 0.
    expect(ids.indexOf(first.body.id)).toBeLessThan(ids.indexOf(second.body.id));
    expect(page.assessments.find((a) => a.id === first.body.id)?.level).toBe(0);
    const rows = await app.database.db
      .selectFrom('goalAssessments')
      .select('id')
      .where('pupilId', '=', w.pupil.id)
      .where('goalId', '=', project.goalId)
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses a level off the scale, with a message naming the range', async () => {
    const res = await client('pupil').post(assessPath(), { level: 4 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { details: [{ path: 'body.level' }] } });
    expect((await client('pupil').post(assessPath(), { level: -1 })).status).toBe(400);
    expect((await client('pupil').post(assessPath(), { level: 1.5 })).status).toBe(400);
  });

  it("uses the project's own scale: a 3-step smiley scale has no fourth level", async () => {
    const smiley = await app.database.db.selectFrom('assessmentScales').select('id').where('builtinKey', '=', 'smiley3').executeTakeFirstOrThrow();
    const other = await makeProject(app.database.db, { schoolId: w.schoolA.id, groupIds: [w.group.id] });
    await app.database.db.updateTable('projects').set({ scaleId: smiley.id }).where('id', '=', other.id).execute();
    const path = `/api/goals/${other.goalId}/pupils/${w.pupil.id}/assessments`;
    expect((await client('pupil').post(path, { level: 3 })).status).toBe(400);
    expect((await client('pupil').post(path, { level: 2 })).status).toBe(201);
  });

  it("refuses artefacts that are not the pupil's own, deleted, or unseen by the teacher", async () => {
    const classmates = await makeArtefact(app.database.db, { ownerId: w.classmate.id, projectId: project.id });
    const deleted = await makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: project.id, deleted: true });
    for (const id of [classmates.id, deleted.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await client('pupil').post(assessPath(), { level: 1, artefactIds: [id] });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { details: [{ path: 'body.artefactIds' }] } });
    }
    // Work outside the project is not the project teacher's to see (only the group's teachers see the whole portfolio).
    const elsewhere = await makeArtefact(app.database.db, { ownerId: w.pupil.id });
    expect((await client('projectTeacher').post(assessPath(), { level: 1, artefactIds: [elsewhere.id] })).status).toBe(400);
    expect((await client('teacher').post(assessPath(), { level: 1, artefactIds: [elsewhere.id] })).status).toBe(201);
  });

  it('refuses a reflection with hidden characters or too long, and a teacher sharing on the pupil’s behalf', async () => {
    expect((await client('pupil').post(assessPath(), { level: 1, reflection: 'abc\u202Edef' })).status).toBe(400);
    expect((await client('pupil').post(assessPath(), { level: 1, reflection: 'x'.repeat(501) })).status).toBe(400);
    expect((await client('teacher').post(assessPath(), { level: 1, sharedWithGuardians: true })).status).toBe(400);
  });

  it('a guardian may not assess (403: they see the page), nor share', async () => {
    const res = await client('guardian').post(assessPath(), { level: 1 });
    expect(res.status).toBe(403);
    const own = await client('pupil').post<GoalAssessment>(assessPath(), { level: 1, sharedWithGuardians: true });
    expect((await client('guardian').patch(`/api/goal-assessments/${own.body.id}/sharing`, { sharedWithGuardians: false })).status).toBe(403);
    expect((await client('teacher').patch(`/api/goal-assessments/${own.body.id}/sharing`, { sharedWithGuardians: false })).status).toBe(403);
  });
});

describe('what guardians see', () => {
  it('never an unshared self-assessment or teacher level; a shared one once the pupil shares it, and not after unsharing', async () => {
    const secret = await client('pupil').post<GoalAssessment>(assessPath(), { level: 0, reflection: 'Salainen pohdinta' });
    const teacherLevel = await client('teacher').post<GoalAssessment>(assessPath(), { level: 2 });
    const shared = await client('pupil').post<GoalAssessment>(assessPath(), { level: 1, reflection: 'Jaettu', sharedWithGuardians: true });
    const seen = async () => (await client('guardian').get<GoalPage>(pagePath())).body.assessments;
    let ids = (await seen()).map((a) => a.id);
    expect(ids).toContain(shared.body.id);
    expect(ids).not.toContain(secret.body.id);
    expect(ids).not.toContain(teacherLevel.body.id);
    expect((await seen()).every((a) => a.sharedWithGuardians)).toBe(true);
    expect(JSON.stringify(await seen())).not.toContain('Salainen');

    // The pupil shares the teacher's level, then takes it back.
    expect((await client('pupil').patch(`/api/goal-assessments/${teacherLevel.body.id}/sharing`, { sharedWithGuardians: true })).status).toBe(200);
    expect((await seen()).map((a) => a.id)).toContain(teacherLevel.body.id);
    expect((await client('pupil').patch(`/api/goal-assessments/${teacherLevel.body.id}/sharing`, { sharedWithGuardians: false })).status).toBe(200);
    ids = (await seen()).map((a) => a.id);
    expect(ids).not.toContain(teacherLevel.body.id);
    // A guardian linked to no pupil here sees nothing at all.
    expect((await client('otherGuardian').get(pagePath())).status).toBe(404);
  });

  it('shows a guardian only the evidence ids they may see on a shared assessment', async () => {
    const privateWork = await linkedArtefact();
    const sharedWork = await linkedArtefact({ visibility: 'guardians' });
    const res = await client('pupil').post<GoalAssessment>(assessPath(), { level: 2, artefactIds: [privateWork.id, sharedWork.id], sharedWithGuardians: true });
    const mine = (await client('guardian').get<GoalPage>(pagePath())).body.assessments.find((a) => a.id === res.body.id);
    expect(mine?.artefactIds).toEqual([sharedWork.id]);
  });
});

describe('live', () => {
  it('a new assessment reaches the pupil and their teachers; a guardian hears only of shared ones', async () => {
    const listen = async (name: string) => {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(app.url, {
        transports: ['websocket'],
        extraHeaders: { cookie: client(name).cookieHeader },
        reconnection: false,
        forceNew: true,
      });
      sockets.push(socket);
      const heard: string[] = [];
      socket.on('goalAssessment.created', (p) => heard.push(p.assessmentId));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return heard;
    };
    const [pupil, teacher, projectT, guardian, other] = await Promise.all(['pupil', 'teacher', 'projectTeacher', 'guardian', 'otherTeacher'].map(listen));
    const privateOne = await client('pupil').post<GoalAssessment>(assessPath(), { level: 1 });
    const sharedOne = await client('pupil').post<GoalAssessment>(assessPath(), { level: 2, sharedWithGuardians: true });
    const byTeacher = await client('teacher').post<GoalAssessment>(assessPath(), { level: 2 });
    const all = [privateOne.body.id, sharedOne.body.id, byTeacher.body.id];
    const wait = { timeout: 5000, interval: 20 };
    await vi.waitFor(() => expect(pupil).toEqual(all), wait);
    await vi.waitFor(() => expect(teacher).toEqual(all), wait);
    await vi.waitFor(() => expect(projectT).toEqual(all), wait);
    await vi.waitFor(() => expect(guardian).toContain(sharedOne.body.id), wait);
    // Events reach one socket in order: once the guardian heard the shared one, the private one would have come first.
    expect(guardian).toEqual([sharedOne.body.id]);
    expect(other).toEqual([]);
  });

  it('sharing a teacher level tells the guardian, who then sees it', async () => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(app.url, {
      transports: ['websocket'],
      extraHeaders: { cookie: client('guardian').cookieHeader },
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    const heard: string[] = [];
    socket.on('goalAssessment.shared', (p) => heard.push(p.assessmentId));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const level = await client('teacher').post<GoalAssessment>(assessPath(), { level: 3 });
    expect((await client('pupil').patch(`/api/goal-assessments/${level.body.id}/sharing`, { sharedWithGuardians: true })).status).toBe(200);
    await vi.waitFor(() => expect(heard).toEqual([level.body.id]), { timeout: 5000, interval: 20 });
    const seen = (await client('guardian').get<GoalPage>(pagePath())).body.assessments.find((a) => a.id === level.body.id);
    expect(seen).toMatchObject({ kind: 'teacher', level: 3, sharedWithGuardians: true });
  });
});
