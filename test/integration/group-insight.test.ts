import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Coverage, Heatmap } from '../../shared/api/insight.ts';
import type { Actor } from '../../server/auth/actor.ts';
import { insightService } from '../../server/modules/insight/insight.service.ts';
import { addMember, makeArtefact, makeGroup, makeProject, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 10, section 6: the teacher's view of a group (the heatmap of a project, competence coverage of a group).
let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let project: Awaited<ReturnType<typeof makeProject>>;
let goal2: string;
let projectTeacher: Awaited<ReturnType<typeof makeUser>>;
let teacher2: Awaited<ReturnType<typeof makeUser>>;
let pupil3: Awaited<ReturnType<typeof makeUser>>;
const as = new Map<string, TestClient>();
const client = (name: string) => as.get(name)!;
const heatmapPath = () => `/api/projects/${project.id}/heatmap`;
const coveragePath = () => `/api/groups/${w.group.id}/coverage`;

async function work(ownerId: string, fields: { goalIds?: string[]; competenceIds?: string[]; subjectCodes?: string[]; createdAt?: Date; deleted?: boolean }) {
  const a = await makeArtefact(app.database.db, { ownerId, projectId: project.id, deleted: fields.deleted ?? false });
  await app.database.db
    .updateTable('artefacts')
    .set({
      goalIds: fields.goalIds ?? [],
      competenceIds: fields.competenceIds ?? [],
      subjectCodes: fields.subjectCodes ?? [],
    })
    .where('id', '=', a.id)
    .execute();
  if (fields.createdAt) await sql`update artefacts set created_at = ${fields.createdAt} where id = ${a.id}`.execute(app.database.db);
  return a;
}

async function assess(pupilId: string, goalId: string, kind: 'self' | 'teacher', level: number, minutesAgo: number) {
  await app.database.db
    .insertInto('goalAssessments')
    .values({ goalId, pupilId, kind, assessorId: kind === 'self' ? pupilId : projectTeacher.id, level, createdAt: new Date(Date.now() - minutesAgo * 60_000) })
    .execute();
}

beforeAll(async () => {
  app = await startTestApp();
  const db = app.database.db;
  w = await makeTwoSchools(db);
  projectTeacher = await makeUser(db, { role: 'teacher', schoolId: w.schoolA.id });
  teacher2 = await makeUser(db, { role: 'teacher', schoolId: w.schoolA.id });
  pupil3 = await makeUser(db, { role: 'pupil', schoolId: w.schoolA.id, displayName: 'Ö Kolmas' });
  // A second group of the project with its own teacher and pupil: the group teachers see only their own pupils.
  const group2 = await makeGroup(db, w.schoolA.id);
  await addMember(db, group2.id, teacher2.id, 'teacher');
  await addMember(db, group2.id, pupil3.id, 'pupil');
  await db.updateTable('users').set({ displayName: 'A Oppilas' }).where('id', '=', w.pupil.id).execute();
  await db.updateTable('users').set({ displayName: 'B Luokkatoveri' }).where('id', '=', w.classmate.id).execute();
  project = await makeProject(db, { schoolId: w.schoolA.id, teacherIds: [projectTeacher.id], groupIds: [w.group.id, group2.id] });
  goal2 = (
    await db
      .insertInto('projectGoals')
      .values({ projectId: project.id, position: 1, text: 'Osaan kertoa havainnoistani' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

  await work(w.pupil.id, { goalIds: [project.goalId] });
  await work(w.pupil.id, { goalIds: [project.goalId, goal2] });
  await work(w.pupil.id, { goalIds: [project.goalId], deleted: true });
  await assess(w.pupil.id, project.goalId, 'self', 1, 30);
  await assess(w.pupil.id, project.goalId, 'self', 2, 10);
  await assess(w.pupil.id, project.goalId, 'teacher', 3, 20);
  await assess(w.pupil.id, project.goalId, 'teacher', 1, 40);
  // The classmate has assessed themself on goal 2 but has no work linked to any goal.
  await assess(w.classmate.id, goal2, 'self', 0, 5);

  for (const name of ['pupil', 'classmate', 'teacher', 'otherTeacher', 'guardian', 'admin', 'teacherB'] as const) as.set(name, await app.as(w[name].username));
  as.set('projectTeacher', await app.as(projectTeacher.username));
  as.set('teacher2', await app.as(teacher2.username));
}, 120_000);
afterAll(async () => {
  await app?.close();
});

describe('the heatmap of a project', () => {
  it('shows every pupil of the project groups × every goal, with the latest levels and the evidence counted', async () => {
    const res = await client('projectTeacher').get<Heatmap>(heatmapPath());
    expect(res.status).toBe(200);
    expect(res.body.goals.map((g) => g.id)).toEqual([project.goalId, goal2]);
    expect(res.body.scale.builtinKey).toBe('growth4');
    expect(res.body.pupils.map((p) => p.id)).toEqual([w.pupil.id, w.classmate.id, pupil3.id]);
    const [pupil, classmate, third] = res.body.pupils;
    expect(pupil!.cells).toEqual([
      // The latest of each kind, not the highest: self 1 then 2; teacher 1 then 3. The deleted work is not counted.
      { goalId: project.goalId, selfLevel: 2, teacherLevel: 3, evidenceCount: 2 },
      { goalId: goal2, selfLevel: null, teacherLevel: null, evidenceCount: 1 },
    ]);
    // No evidence: the count is 0 (the client marks it), an assessment without work still shows.
    expect(classmate!.cells).toEqual([
      { goalId: project.goalId, selfLevel: null, teacherLevel: null, evidenceCount: 0 },
      { goalId: goal2, selfLevel: 0, teacherLevel: null, evidenceCount: 0 },
    ]);
    expect(third!.cells.every((c) => c.evidenceCount === 0 && c.selfLevel === null)).toBe(true);
  });

  it('shows a group teacher only the pupils of the project groups they teach', async () => {
    const mine = await client('teacher').get<Heatmap>(heatmapPath());
    expect(mine.status).toBe(200);
    expect(mine.body.pupils.map((p) => p.id)).toEqual([w.pupil.id, w.classmate.id]);
    const theirs = await client('teacher2').get<Heatmap>(heatmapPath());
    expect(theirs.body.pupils.map((p) => p.id)).toEqual([pupil3.id]);
  });

  it('counts new work and new assessments at the next request', async () => {
    await work(w.classmate.id, { goalIds: [project.goalId] });
    await assess(w.classmate.id, project.goalId, 'teacher', 2, 0);
    const res = await client('projectTeacher').get<Heatmap>(heatmapPath());
    const classmate = res.body.pupils.find((p) => p.id === w.classmate.id)!;
    expect(classmate.cells[0]).toEqual({ goalId: project.goalId, selfLevel: null, teacherLevel: 2, evidenceCount: 1 });
  });

  it('is not found for a teacher of another group or school, and refused to pupils, guardians and admins', async () => {
    expect((await client('otherTeacher').get(heatmapPath())).status).toBe(404);
    expect((await client('teacherB').get(heatmapPath())).status).toBe(404);
    // They may see the project itself, so they learn nothing from a 403.
    expect((await client('pupil').get(heatmapPath())).status).toBe(403);
    expect((await client('guardian').get(heatmapPath())).status).toBe(403);
    expect((await client('admin').get(heatmapPath())).status).toBe(403);
    expect((await client('projectTeacher').get('/api/projects/00000000-0000-4000-8000-000000000000/heatmap')).status).toBe(404);
  });

  it('reads its data in one query after the one for the policy facts', async () => {
    let queries = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => {
        queries += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const actor: Actor = {
      id: projectTeacher.id,
      username: projectTeacher.username,
      displayName: projectTeacher.displayName,
      locale: null,
      roles: [{ schoolId: w.schoolA.id, role: 'teacher' }],
      teacherGroupIds: new Set(),
      pupilGroupIds: new Set(),
      childIds: new Set(),
      childGroupIds: new Set(),
      sessionId: 'test',
    };
    const service = insightService(app.database.db.withPlugin(counter));
    const heatmap = await service.heatmap(actor, project.id);
    expect(heatmap.pupils).toHaveLength(3);
    expect(queries).toBe(2);
  });
});

describe('competence coverage of a group', () => {
  const termStart = () => {
    const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Helsinki', year: 'numeric', month: '2-digit' })
      .format(new Date())
      .split('-')
      .map(Number);
    return `${y}-${m! >= 8 ? '08' : '01'}-01`;
  };

  it("lists which of L1–L7 and which subjects each pupil's work of this term is tagged with", async () => {
    await work(w.pupil.id, { competenceIds: ['basic:L4', 'basic:L1', 'upper-secondary:societal'], subjectCodes: ['GE', 'BI'] });
    await work(w.pupil.id, { competenceIds: ['basic:L4'], subjectCodes: ['BI'] });
    // Last year's work and deleted work do not count.
    await work(w.pupil.id, { competenceIds: ['basic:L7'], subjectCodes: ['MU'], createdAt: new Date(Date.now() - 400 * 86_400_000) });
    await work(w.pupil.id, { competenceIds: ['basic:L6'], subjectCodes: ['KU'], deleted: true });
    const res = await client('teacher').get<Coverage>(coveragePath());
    expect(res.status).toBe(200);
    expect(res.body.termStart).toBe(termStart());
    const pupil = res.body.pupils.find((p) => p.id === w.pupil.id)!;
    expect(pupil.competenceIds).toEqual(['basic:L1', 'basic:L4']);
    expect(pupil.subjectCodes).toEqual(['BI', 'GE']);
    // Two tagged here, two linked to goals earlier in this file (all this term; the deleted ones never count).
    expect(pupil.artefactCount).toBe(4);
    const classmate = res.body.pupils.find((p) => p.id === w.classmate.id)!;
    expect(classmate.competenceIds).toEqual([]);
    expect(classmate.subjectCodes).toEqual([]);
    expect(res.body.pupils.map((p) => p.id)).not.toContain(pupil3.id);
  });

  it("is the group's teachers' only", async () => {
    expect((await client('otherTeacher').get(coveragePath())).status).toBe(404);
    expect((await client('teacherB').get(coveragePath())).status).toBe(404);
    expect((await client('projectTeacher').get(coveragePath())).status).toBe(404);
    expect((await client('pupil').get(coveragePath())).status).toBe(404);
    expect((await client('guardian').get(coveragePath())).status).toBe(404);
    expect((await client('admin').get(coveragePath())).status).toBe(403);
  });
});
