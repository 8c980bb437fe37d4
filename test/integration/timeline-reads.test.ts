import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelinePage } from '../../shared/api/artefacts.ts';
import { addMember, linkGuardian, makeArtefact, makeProject, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * The timeline's read path: the session comes with its user in one query, and the page with the
 * pupil's policy facts in one query read for the scope the policy most likely gives. These check that
 * every viewer still gets exactly the policy's scope (also when the likely one was wrong and the page
 * is read again). What the session cache may and may not keep is in session-cache.test.ts.
 */
let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
const titles = { shared: 'Jaettu työ', private: 'Oma työ', project: 'Projektin työ' };

beforeAll(async () => {
  app = await startTestApp();
  w = await makeTwoSchools(app.database.db);
  const db = app.database.db;
  const project = await makeProject(db, { schoolId: w.schoolA.id, teacherIds: [w.otherTeacher.id], groupIds: [w.group.id] });
  await makeArtefact(db, { ownerId: w.pupil.id, visibility: 'guardians', title: titles.shared });
  await makeArtefact(db, { ownerId: w.pupil.id, title: titles.private });
  await makeArtefact(db, { ownerId: w.pupil.id, projectId: project.id, title: titles.project });
});
afterAll(async () => {
  await app?.close();
});

async function timelineOf(username: string, pupilId = w.pupil.id) {
  const client = await app.as(username);
  const res = await client.get<TimelinePage>(`/api/pupils/${pupilId}/artefacts`);
  return { client, status: res.status, titles: res.status === 200 ? res.body.items.map((a) => a.title).sort() : null };
}

describe("the timeline's one-query reads", () => {
  it('give every viewer exactly the scope the policy gives, also when the page had to be read again', async () => {
    const all = Object.values(titles).sort();
    expect((await timelineOf(w.pupil.username)).titles).toEqual(all);
    expect((await timelineOf(w.teacher.username)).titles).toEqual(all);
    expect((await timelineOf(w.guardian.username)).titles).toEqual([titles.shared]);
    // A project's teacher from another group: that project's artefacts only (read again for the project scope).
    expect((await timelineOf(w.otherTeacher.username)).titles).toEqual([titles.project]);
    // A guardian who is also the child's class teacher sees everything (read again: the likely scope was 'shared').
    const parentTeacher = await makeUser(app.database.db, { role: 'teacher', schoolId: w.schoolA.id });
    await addMember(app.database.db, w.group.id, parentTeacher.id, 'teacher');
    await linkGuardian(app.database.db, parentTeacher.id, w.pupil.id);
    expect((await timelineOf(parentTeacher.username)).titles).toEqual(all);
    // Strangers and other schools: 404, as before.
    expect((await timelineOf(w.otherGuardian.username)).status).toBe(404);
    expect((await timelineOf(w.teacherB.username)).status).toBe(404);
    // A pupil without artefacts has an empty timeline (the facts are read on their own); a non-pupil has none.
    expect(await timelineOf(w.classmate.username, w.classmate.id)).toMatchObject({ status: 200, titles: [] });
    expect((await timelineOf(w.admin.username, w.teacher.id)).status).toBe(404);
  });
});
