import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GuardianComment, GuardianModerationList, GuardianVoice } from '../../shared/api/guardian-voice.ts';
import type { NotificationPage } from '../../shared/api/notifications.ts';
import type { School } from '../../shared/api/org.ts';
import type { Showcase } from '../../shared/api/showcases.ts';
import type { GuardianVoiceTables } from '../../server/modules/guardian-voice/guardian-voice.repo.ts';
import { addMember, linkGuardian, makeGroup, makeProject, makeSchool, makeUser } from '../helpers/factories.ts';
import { liveListeners } from '../helpers/live-listener.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 12 §2 on showcases (§3): guardians react to and comment on a showcase their child shared with them,
// by the same rules as on artefacts: the school setting, moderation, reports, and no family meeting another.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
const { listen, closeAll } = liveListeners(() => app.url);
afterAll(async () => {
  closeAll();
  await app?.close();
});

/**
 * A school with one group and one project: Aino and her classmate Ville take part; Aino has two guardians,
 * Ville one. The group's teacher, the project's teacher (by name), a teacher of another group. Aino's
 * showcase (of the project) is shared as `visibility` says.
 */
async function world(setting: 'off' | 'shown' | 'moderated' = 'shown', visibility: 'private' | 'guardians' | 'project' = 'guardians') {
  const db = app.database.db;
  const school = await makeSchool(db);
  const group = await makeGroup(db, school.id);
  const otherGroup = await makeGroup(db, school.id);
  const [pupil, classmate, teacher, projectTeacher, otherTeacher, admin, guardian, guardian2, otherGuardian] = await Promise.all([
    makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Aino Oppilas' }),
    makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Ville Luokkalainen' }),
    makeUser(db, { role: 'teacher', schoolId: school.id, displayName: 'Opettaja Olli' }),
    makeUser(db, { role: 'teacher', schoolId: school.id }),
    makeUser(db, { role: 'teacher', schoolId: school.id }),
    makeUser(db, { role: 'admin', schoolId: school.id }),
    makeUser(db, { role: 'guardian', schoolId: school.id, displayName: 'Äiti Oppilas' }),
    makeUser(db, { role: 'guardian', schoolId: school.id, displayName: 'Isä Oppilas' }),
    makeUser(db, { role: 'guardian', schoolId: school.id, displayName: 'Villen Äiti' }),
  ]);
  await addMember(db, group.id, pupil.id, 'pupil');
  await addMember(db, group.id, classmate.id, 'pupil');
  await addMember(db, group.id, teacher.id, 'teacher');
  await addMember(db, otherGroup.id, otherTeacher.id, 'teacher');
  await linkGuardian(db, guardian.id, pupil.id);
  await linkGuardian(db, guardian2.id, pupil.id);
  await linkGuardian(db, otherGuardian.id, classmate.id);
  const project = await makeProject(db, { schoolId: school.id, teacherIds: [projectTeacher.id], groupIds: [group.id] });
  const as = (u: { username: string }) => app.as(u.username);
  const c = {
    pupil: await as(pupil),
    classmate: await as(classmate),
    teacher: await as(teacher),
    projectTeacher: await as(projectTeacher),
    otherTeacher: await as(otherTeacher),
    admin: await as(admin),
    guardian: await as(guardian),
    guardian2: await as(guardian2),
    otherGuardian: await as(otherGuardian),
  };
  if (setting !== 'off') {
    const res = await c.admin.patch<School>(`/api/schools/${school.id}`, { guardianComments: setting });
    expect(res.status, res.text).toBe(200);
  }
  const created = await c.pupil.post<Showcase>('/api/showcases', { title: 'Parhaat työni' });
  expect(created.status, created.text).toBe(201);
  const shared = await c.pupil.patch<Showcase>(`/api/showcases/${created.body.id}`, { visibility, projectId: project.id });
  expect(shared.status, shared.text).toBe(200);
  return { school, project, showcase: shared.body, pupil, classmate, teacher, projectTeacher, guardian, guardian2, otherGuardian, c };
}

const voiceOf = async (client: TestClient, showcaseId: string) => {
  const res = await client.get<GuardianVoice>(`/api/showcases/${showcaseId}/guardian-voice`);
  return res.status === 200 ? res.body : res.status;
};
const commentsSeen = async (client: TestClient, showcaseId: string) => {
  const v = await voiceOf(client, showcaseId);
  return typeof v === 'number' ? v : v.comments.map((c) => ({ body: c.body, state: c.state, author: c.author?.displayName ?? null }));
};
async function comment(client: TestClient, showcaseId: string, body = 'Upea kooste!') {
  const res = await client.post<GuardianComment>(`/api/showcases/${showcaseId}/guardian-comments`, { body });
  expect(res.status, res.text).toBe(201);
  return res.body;
}
const guardianNotices = async (client: TestClient) =>
  (await client.get<NotificationPage>('/api/notifications')).body.items.filter((n) => n.kind === 'guardian_comment').map((n) => n.data);

const waitFor = (check: () => void | Promise<void>) => vi.waitFor(check, { timeout: 5000, interval: 20 });

describe('guardian voice on a showcase shared with guardians', () => {
  it('a guardian of the owner comments and reacts; the pupil and teachers see it named, the other guardian unnamed; notices and events follow', async () => {
    const w = await world('shown');
    const s = w.showcase.id;
    const [pupilLive, teacherLive, otherLive] = await Promise.all([listen(w.c.pupil), listen(w.c.projectTeacher), listen(w.c.otherGuardian)]);

    expect(await voiceOf(w.c.guardian, s)).toMatchObject({ showcaseId: s, setting: 'shown', canReact: true, canComment: true, canReport: false });
    const posted = await comment(w.c.guardian, s);
    expect(posted).toMatchObject({ showcaseId: s, state: 'shown', mine: true, author: { displayName: 'Äiti Oppilas' } });
    expect(posted.artefactId).toBeUndefined();

    const named = [{ body: 'Upea kooste!', state: 'shown', author: 'Äiti Oppilas' }];
    expect(await commentsSeen(w.c.pupil, s)).toEqual(named);
    expect(await commentsSeen(w.c.teacher, s)).toEqual(named);
    expect(await commentsSeen(w.c.projectTeacher, s)).toEqual(named);
    // The child's other guardian reads it, never whose it is.
    expect(await commentsSeen(w.c.guardian2, s)).toEqual([{ body: 'Upea kooste!', state: 'shown', author: null }]);
    expect(await voiceOf(w.c.pupil, s)).toMatchObject({ canReact: false, canComment: false, canReport: true, canModerate: false });
    expect(await voiceOf(w.c.teacher, s)).toMatchObject({ canReact: false, canComment: false, canReport: false, canModerate: true });

    // The pupil and the teachers hear of it, with the showcase to link to; the writer does not.
    const notice = { showcaseId: s, commentId: posted.id, pupilId: w.pupil.id, title: 'Parhaat työni', held: false };
    expect(await guardianNotices(w.c.pupil)).toEqual([notice]);
    expect(await guardianNotices(w.c.teacher)).toEqual([notice]);
    expect(await guardianNotices(w.c.guardian)).toEqual([]);
    const event = { showcaseId: s, ownerId: w.pupil.id, commentId: posted.id };
    await waitFor(() => expect(pupilLive.named('guardianComment.changed')).toEqual([event]));
    await waitFor(() => expect(teacherLive.named('guardianComment.changed')).toEqual([event]));

    // Reactions: each guardian once per reaction; counts for all who read, never who.
    for (const client of [w.c.guardian, w.c.guardian, w.c.guardian2]) {
      const res = await client.put<GuardianVoice>(`/api/showcases/${s}/guardian-reactions`, { reaction: 'star', given: true });
      expect(res.status, res.text).toBe(200);
    }
    const star = (v: GuardianVoice | number) => (typeof v === 'number' ? v : v.reactions.find((r) => r.reaction === 'star'));
    expect(star(await voiceOf(w.c.pupil, s))).toEqual({ reaction: 'star', count: 2, mine: false });
    expect(star(await voiceOf(w.c.guardian, s))).toEqual({ reaction: 'star', count: 2, mine: true });
    await waitFor(() => expect(pupilLive.named('guardianReaction.changed')).toContainEqual({ showcaseId: s, ownerId: w.pupil.id }));
    expect((await w.c.pupil.put(`/api/showcases/${s}/guardian-reactions`, { reaction: 'star', given: true })).status).toBe(403);

    // Another family: nothing of it, not even that it exists; and it hears nothing.
    expect(await voiceOf(w.c.otherGuardian, s)).toBe(404);
    expect((await w.c.otherGuardian.post(`/api/showcases/${s}/guardian-comments`, { body: 'Hei' })).status).toBe(404);
    expect((await w.c.otherGuardian.put(`/api/showcases/${s}/guardian-reactions`, { reaction: 'heart', given: true })).status).toBe(404);
    expect(await voiceOf(w.c.classmate, s)).toBe(404);
    expect(otherLive.named('guardianComment.changed')).toEqual([]);
    expect(otherLive.named('guardianReaction.changed')).toEqual([]);
  });

  it("classmates who read a showcase shared with the project meet no guardian voice; the project's school setting applies", async () => {
    const w = await world('off', 'project');
    const s = w.showcase.id;
    expect((await w.c.classmate.get(`/api/showcases/${s}`)).status).toBe(200);
    expect(await voiceOf(w.c.classmate, s)).toBe(404);
    // The project's school says off: reactions, but no comments.
    expect(await voiceOf(w.c.guardian, s)).toMatchObject({ setting: 'off', canReact: true, canComment: false });
    expect((await w.c.guardian.post(`/api/showcases/${s}/guardian-comments`, { body: 'Hei' })).status).toBe(403);
  });

  it('a private showcase, or one unshared, is closed to guardians; a deleted one takes its comments with it', async () => {
    const w = await world('shown', 'private');
    const s = w.showcase.id;
    expect(await voiceOf(w.c.guardian, s)).toBe(404);
    expect((await w.c.guardian.post(`/api/showcases/${s}/guardian-comments`, { body: 'Hei' })).status).toBe(404);
    expect((await w.c.guardian.put(`/api/showcases/${s}/guardian-reactions`, { reaction: 'heart', given: true })).status).toBe(404);
    expect(await voiceOf(w.c.pupil, s)).toMatchObject({ comments: [], canComment: false });

    expect((await w.c.pupil.patch(`/api/showcases/${s}`, { visibility: 'guardians' })).status).toBe(200);
    const posted = await comment(w.c.guardian, s);
    expect((await w.c.pupil.patch(`/api/showcases/${s}`, { visibility: 'private' })).status).toBe(200);
    expect(await voiceOf(w.c.guardian, s)).toBe(404);
    expect(await commentsSeen(w.c.pupil, s)).toEqual([{ body: 'Upea kooste!', state: 'shown', author: 'Äiti Oppilas' }]);
    // The pupil's notice goes with the access: it was about a showcase the pupil still sees, so it stays.
    expect(await guardianNotices(w.c.pupil)).toHaveLength(1);

    expect((await w.c.pupil.delete(`/api/showcases/${s}`)).status).toBe(200);
    const left = await app.database.db.withTables<GuardianVoiceTables>().selectFrom('guardianComments').select('id').where('id', '=', posted.id).execute();
    expect(left).toEqual([]);
    expect(await guardianNotices(w.c.pupil)).toEqual([]);
  });
});

describe('moderation and reports on showcase comments', () => {
  it("a held comment waits in the pupil's teachers' list; approving shows it to the pupil, who hears of it", async () => {
    const w = await world('moderated');
    const s = w.showcase.id;
    const held = await comment(w.c.guardian, s, 'Odottaa opettajaa');
    expect(held.state).toBe('held');
    expect(await commentsSeen(w.c.pupil, s)).toEqual([]);
    expect(await commentsSeen(w.c.guardian2, s)).toEqual([]);
    expect(await commentsSeen(w.c.guardian, s)).toEqual([{ body: 'Odottaa opettajaa', state: 'held', author: 'Äiti Oppilas' }]);
    expect(await guardianNotices(w.c.pupil)).toEqual([]);
    expect(await guardianNotices(w.c.teacher)).toEqual([{ showcaseId: s, commentId: held.id, pupilId: w.pupil.id, title: 'Parhaat työni', held: true }]);

    // Both of the pupil's teachers (group and project) list it, with the showcase's title; a teacher of another group does not.
    for (const client of [w.c.teacher, w.c.projectTeacher]) {
      const list = await client.get<GuardianModerationList>('/api/guardian-comments/moderation');
      expect(list.body.items.filter((i) => i.showcaseId === s)).toMatchObject([
        { id: held.id, showcaseId: s, state: 'held', artefactTitle: 'Parhaat työni', owner: { displayName: 'Aino Oppilas' } },
      ]);
    }
    const other = await w.c.otherTeacher.get<GuardianModerationList>('/api/guardian-comments/moderation');
    expect(other.body.items.filter((i) => i.showcaseId === s)).toEqual([]);
    expect((await w.c.otherTeacher.post(`/api/guardian-comments/${held.id}/moderation`, { action: 'approve' })).status).toBe(404);
    expect((await w.c.pupil.post(`/api/guardian-comments/${held.id}/moderation`, { action: 'approve' })).status).toBe(404);

    const approved = await w.c.projectTeacher.post<GuardianComment>(`/api/guardian-comments/${held.id}/moderation`, { action: 'approve' });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ showcaseId: s, state: 'shown' });
    expect(await commentsSeen(w.c.pupil, s)).toEqual([{ body: 'Odottaa opettajaa', state: 'shown', author: 'Äiti Oppilas' }]);
    expect(await commentsSeen(w.c.guardian2, s)).toEqual([{ body: 'Odottaa opettajaa', state: 'shown', author: null }]);
    expect(await guardianNotices(w.c.pupil)).toEqual([{ showcaseId: s, commentId: held.id, pupilId: w.pupil.id, title: 'Parhaat työni', held: false }]);
    expect((await w.c.teacher.get<GuardianModerationList>('/api/guardian-comments/moderation')).body.items.filter((i) => i.showcaseId === s)).toEqual([]);
  });

  it('the pupil reports a shown comment: hidden from the guardians until a teacher looks; its author deletes their own only', async () => {
    const w = await world('shown');
    const s = w.showcase.id;
    const first = await comment(w.c.guardian, s, 'Ensimmäinen');
    const second = await comment(w.c.guardian2, s, 'Toinen');
    expect((await w.c.guardian2.post(`/api/guardian-comments/${first.id}/report`)).status).toBe(403);
    const reported = await w.c.pupil.post<GuardianComment>(`/api/guardian-comments/${first.id}/report`);
    expect(reported.status, reported.text).toBe(200);
    expect(reported.body).toMatchObject({ showcaseId: s, state: 'reported' });
    expect(await commentsSeen(w.c.guardian2, s)).toEqual([{ body: 'Toinen', state: 'shown', author: 'Isä Oppilas' }]);
    expect((await w.c.teacher.get<GuardianModerationList>('/api/guardian-comments/moderation')).body.items.map((i) => [i.id, i.state])).toContainEqual([
      first.id,
      'reported',
    ]);
    expect((await w.c.teacher.post(`/api/guardian-comments/${first.id}/moderation`, { action: 'hide' })).status).toBe(200);
    expect(await commentsSeen(w.c.pupil, s)).toEqual([{ body: 'Toinen', state: 'shown', author: 'Isä Oppilas' }]);

    // Deleting: the author only (the other guardian sees it, but it is not theirs).
    expect((await w.c.guardian.delete(`/api/guardian-comments/${second.id}`)).status).toBe(403);
    expect((await w.c.guardian2.delete(`/api/guardian-comments/${second.id}`)).status).toBe(200);
    expect(await commentsSeen(w.c.pupil, s)).toEqual([]);
  });
});
