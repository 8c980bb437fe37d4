import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GuardianComment, GuardianModerationList, GuardianVoice } from '../../shared/api/guardian-voice.ts';
import type { NotificationPage } from '../../shared/api/notifications.ts';
import type { School } from '../../shared/api/org.ts';
import type { IssuedCardsResponse } from '../../shared/api/sign-in-cards.ts';
import { addMember, linkGuardian, makeArtefact, makeGroup, makeProject, makeSchool, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { liveListeners } from '../helpers/live-listener.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 12 §2: guardian voice. Reactions and comments on shared items, per-school setting, moderation,
// and a guardian never meeting another child, another family's words or classmates' names.
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
 * A school with one group and one project: the pupil Aino and her classmate Ville take part; Aino has two
 * guardians (Äiti, Isä), Ville one (Villen Äiti). The group's teacher, the project's teacher (by name), a
 * teacher of another group, an admin.
 */
async function world(setting: 'off' | 'shown' | 'moderated' = 'shown') {
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
  const work = await makeArtefact(db, { ownerId: pupil.id, projectId: project.id, visibility: 'guardians', title: 'Vesiprojekti' });
  const classmateWork = await makeArtefact(db, { ownerId: classmate.id, projectId: project.id, visibility: 'guardians', title: 'Villen työ' });
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
  return { school, group, project, work, classmateWork, pupil, classmate, teacher, projectTeacher, otherTeacher, admin, guardian, guardian2, otherGuardian, c };
}
type World = Awaited<ReturnType<typeof world>>;

const voiceOf = async (client: TestClient, artefactId: string) => {
  const res = await client.get<GuardianVoice>(`/api/artefacts/${artefactId}/guardian-voice`);
  return res.status === 200 ? res.body : res.status;
};
const commentsSeen = async (client: TestClient, artefactId: string) => {
  const v = await voiceOf(client, artefactId);
  return typeof v === 'number' ? v : v.comments.map((c) => ({ body: c.body, state: c.state, author: c.author?.displayName ?? null }));
};
async function comment(client: TestClient, artefactId: string, body = 'Upeaa työtä, kulta!') {
  const res = await client.post<GuardianComment>(`/api/artefacts/${artefactId}/guardian-comments`, { body });
  expect(res.status, res.text).toBe(201);
  return res.body;
}
const moderate = (client: TestClient, id: string, action: 'approve' | 'hide') =>
  client.post<GuardianComment>(`/api/guardian-comments/${id}/moderation`, { action });
const guardianNotices = async (client: TestClient) =>
  (await client.get<NotificationPage>('/api/notifications')).body.items.filter((n) => n.kind === 'guardian_comment').map((n) => n.data);

const waitFor = (check: () => void | Promise<void>) => vi.waitFor(check, { timeout: 5000, interval: 20 });

describe('the school setting', () => {
  it('is off by default, and only the school admin changes it; off refuses comments but not reactions', async () => {
    const w = await world('off');
    expect((await w.c.teacher.get<School>(`/api/schools/${w.school.id}`)).body.guardianComments).toBe('off');
    expect((await w.c.teacher.patch(`/api/schools/${w.school.id}`, { guardianComments: 'shown' })).status).toBe(403);
    expect((await w.c.admin.patch(`/api/schools/${w.school.id}`, { guardianComments: 'sometimes' })).status).toBe(400);
    const v = await voiceOf(w.c.guardian, w.work.id);
    expect(v).toMatchObject({ setting: 'off', canComment: false, canReact: true, comments: [] });
    const res = await w.c.guardian.post(`/api/artefacts/${w.work.id}/guardian-comments`, { body: 'Hei' });
    expect(res.status).toBe(403);
    expect((await w.c.guardian.put(`/api/artefacts/${w.work.id}/guardian-reactions`, { reaction: 'heart', given: true })).status).toBe(200);
  });

  it("the project's school decides; outside a project the strictest of the pupil's schools", async () => {
    const w = await world('shown');
    const db = app.database.db;
    const second = await makeSchool(db);
    await db.insertInto('schoolRoles').values({ schoolId: second.id, userId: w.pupil.id, role: 'pupil' }).execute();
    const loose = await makeArtefact(db, { ownerId: w.pupil.id, visibility: 'guardians' });
    // The second school has not turned comments on (off): the strictest wins outside a project.
    expect(await voiceOf(w.c.guardian, loose.id)).toMatchObject({ setting: 'off', canComment: false });
    await db
      .updateTable('schools')
      .set({ guardianComments: 'moderated' } as never)
      .where('id', '=', second.id)
      .execute();
    expect(await voiceOf(w.c.guardian, loose.id)).toMatchObject({ setting: 'moderated', canComment: true });
    expect((await comment(w.c.guardian, loose.id)).state).toBe('held');
    // In the project, its school's setting (shown) applies.
    expect(await voiceOf(w.c.guardian, w.work.id)).toMatchObject({ setting: 'shown' });
    expect((await comment(w.c.guardian, w.work.id)).state).toBe('shown');
  });
});

describe('comments shown at once', () => {
  it('reach the pupil and teachers (named, as from a guardian), and the other guardian of the same child unnamed; notifications and live events follow', async () => {
    const w = await world('shown');
    const live = {
      pupil: await listen(w.c.pupil),
      teacher: await listen(w.c.teacher),
      guardian2: await listen(w.c.guardian2),
      other: await listen(w.c.otherGuardian),
    };
    const posted = await comment(w.c.guardian, w.work.id);
    expect(posted).toMatchObject({ state: 'shown', mine: true, author: { displayName: 'Äiti Oppilas' } });

    const named = [{ body: 'Upeaa työtä, kulta!', state: 'shown', author: 'Äiti Oppilas' }];
    expect(await commentsSeen(w.c.pupil, w.work.id)).toEqual(named);
    expect(await commentsSeen(w.c.teacher, w.work.id)).toEqual(named);
    expect(await commentsSeen(w.c.projectTeacher, w.work.id)).toEqual(named);
    // The other guardian of the same child sees it, but not who wrote it.
    expect(await commentsSeen(w.c.guardian2, w.work.id)).toEqual([{ ...named[0], author: null }]);
    // Nobody else sees the item at all.
    for (const c of [w.c.otherGuardian, w.c.classmate, w.c.otherTeacher, w.c.admin]) expect(await voiceOf(c, w.work.id)).toBe(404);

    const notice = { artefactId: w.work.id, commentId: posted.id, pupilId: w.pupil.id, title: 'Vesiprojekti', held: false };
    for (const c of [w.c.pupil, w.c.teacher, w.c.projectTeacher]) expect(await guardianNotices(c)).toEqual([notice]);
    for (const c of [w.c.guardian, w.c.guardian2, w.c.otherGuardian, w.c.otherTeacher]) expect(await guardianNotices(c)).toEqual([]);

    const event = { artefactId: w.work.id, ownerId: w.pupil.id, commentId: posted.id };
    await waitFor(() => {
      for (const l of [live.pupil, live.teacher, live.guardian2]) expect(l.named('guardianComment.changed')).toEqual([event]);
    });
    expect(live.other.named('guardianComment.changed')).toEqual([]);
  });

  it('plain text of at most 2000 characters', async () => {
    const w = await world('shown');
    for (const body of ['', '   ', 'x'.repeat(2001), '<b>hei</b>', 'Katso <img src=x onerror=alert(1)>', 'Hei\u202e'])
      expect((await w.c.guardian.post(`/api/artefacts/${w.work.id}/guardian-comments`, { body })).status, body).toBe(400);
    expect((await comment(w.c.guardian, w.work.id, 'x'.repeat(2000))).body).toHaveLength(2000);
    expect((await comment(w.c.guardian, w.work.id, 'Kolme < viisi, ja rivinvaihto\ntoimii')).state).toBe('shown');
  });

  it('are rate limited per guardian, deletions counted too', async () => {
    const w = await world('shown');
    for (let i = 0; i < 10; i++) {
      const c = await comment(w.c.guardian, w.work.id, `Viesti ${i}`);
      if (i % 2) expect((await w.c.guardian.delete(`/api/guardian-comments/${c.id}`)).status).toBe(200);
    }
    const res = await w.c.guardian.post(`/api/artefacts/${w.work.id}/guardian-comments`, { body: 'Vielä yksi' });
    expect(res.status).toBe(429);
    // Another guardian has a budget of their own.
    await comment(w.c.guardian2, w.work.id);
  });
});

describe('moderation', () => {
  it('a held comment waits for the pupil’s teachers (listed live); approving shows it to the pupil, who hears of it', async () => {
    const w = await world('moderated');
    const live = { pupil: await listen(w.c.pupil), teacher: await listen(w.c.teacher) };
    const held = await comment(w.c.guardian, w.work.id, 'Odottaa opettajaa');
    expect(held.state).toBe('held');
    expect(await commentsSeen(w.c.pupil, w.work.id)).toEqual([]);
    expect(await commentsSeen(w.c.guardian2, w.work.id)).toEqual([]);
    expect(await commentsSeen(w.c.guardian, w.work.id)).toEqual([{ body: 'Odottaa opettajaa', state: 'held', author: 'Äiti Oppilas' }]);
    const list = async (c: TestClient) => {
      const res = await c.get<GuardianModerationList>('/api/guardian-comments/moderation');
      return res.status === 200 ? res.body.items.map((i) => ({ id: i.id, owner: i.owner.displayName, title: i.artefactTitle })) : res.status;
    };
    const entry = { id: held.id, owner: 'Aino Oppilas', title: 'Vesiprojekti' };
    expect(await list(w.c.teacher)).toEqual([entry]);
    expect(await list(w.c.projectTeacher)).toEqual([entry]);
    expect(await list(w.c.otherTeacher)).toEqual([]);
    for (const c of [w.c.pupil, w.c.guardian, w.c.admin]) expect(await list(c)).toBe(403);
    await waitFor(() => expect(live.teacher.named('guardianComment.changed')).toHaveLength(1));
    // Teachers were told it waits; the pupil not yet.
    expect(await guardianNotices(w.c.teacher)).toEqual([expect.objectContaining({ commentId: held.id, held: true })]);
    expect(await guardianNotices(w.c.pupil)).toEqual([]);

    // Neither the pupil, the guardian nor another teacher may approve it.
    expect((await moderate(w.c.pupil, held.id, 'approve')).status).toBe(404);
    expect((await moderate(w.c.guardian, held.id, 'approve')).status).toBe(403);
    expect((await moderate(w.c.otherTeacher, held.id, 'approve')).status).toBe(404);
    const approved = await moderate(w.c.teacher, held.id, 'approve');
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.state).toBe('shown');
    expect((await moderate(w.c.projectTeacher, held.id, 'approve')).status).toBe(409);
    expect(await commentsSeen(w.c.pupil, w.work.id)).toEqual([{ body: 'Odottaa opettajaa', state: 'shown', author: 'Äiti Oppilas' }]);
    expect(await commentsSeen(w.c.guardian2, w.work.id)).toEqual([{ body: 'Odottaa opettajaa', state: 'shown', author: null }]);
    expect(await list(w.c.teacher)).toEqual([]);
    expect(await guardianNotices(w.c.pupil)).toEqual([expect.objectContaining({ commentId: held.id, held: false })]);
    // The pupil heard of it once: at the approval, never while it was held.
    await waitFor(() => expect(live.pupil.named('guardianComment.changed')).toHaveLength(1));
    await waitFor(() => expect(live.pupil.named('notification.created')).toHaveLength(1));
  });

  it('hiding keeps the row and the audit; the pupil reports a shown comment, which hides it until a teacher looks', async () => {
    const w = await world('shown');
    const db = app.database.db;
    const first = await comment(w.c.guardian, w.work.id, 'Ensimmäinen');
    const second = await comment(w.c.guardian2, w.work.id, 'Toinen');

    expect((await moderate(w.c.teacher, first.id, 'hide')).body.state).toBe('hidden');
    expect(await commentsSeen(w.c.pupil, w.work.id)).toEqual([{ body: 'Toinen', state: 'shown', author: 'Isä Oppilas' }]);
    expect(await commentsSeen(w.c.guardian2, w.work.id)).toEqual([{ body: 'Toinen', state: 'shown', author: 'Isä Oppilas' }]);
    // Its author sees that it was hidden.
    expect((await commentsSeen(w.c.guardian, w.work.id)) as unknown[]).toContainEqual({ body: 'Ensimmäinen', state: 'hidden', author: 'Äiti Oppilas' });
    const row = await db
      .withTables<{ guardianComments: { id: string; body: string; state: string } }>()
      .selectFrom('guardianComments')
      .select(['body', 'state'])
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ body: 'Ensimmäinen', state: 'hidden' });
    const audit = await db.selectFrom('auditEvents').select('action').where('subjectId', '=', first.id).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['guardian.comment.create', 'guardian.comment.hide']);

    // Only the pupil reports, and only a shown comment.
    expect((await w.c.guardian.post(`/api/guardian-comments/${second.id}/report`)).status).toBe(403);
    expect((await w.c.teacher.post(`/api/guardian-comments/${second.id}/report`)).status).toBe(403);
    const reported = await w.c.pupil.post<GuardianComment>(`/api/guardian-comments/${second.id}/report`);
    expect(reported.status, reported.text).toBe(200);
    expect(await commentsSeen(w.c.pupil, w.work.id)).toEqual([]);
    expect(await commentsSeen(w.c.guardian, w.work.id)).toEqual([{ body: 'Ensimmäinen', state: 'hidden', author: 'Äiti Oppilas' }]);
    const list = await w.c.teacher.get<GuardianModerationList>('/api/guardian-comments/moderation');
    expect(list.body.items.map((i) => [i.id, i.state])).toEqual([[second.id, 'reported']]);
    expect((await moderate(w.c.teacher, second.id, 'approve')).body.state).toBe('shown');
    // Seen before it was reported: no second notification to the pupil; a hidden comment's no longer shows.
    expect((await guardianNotices(w.c.pupil)).map((n) => n.commentId)).toEqual([second.id]);
  });
});

describe('deletion', () => {
  it('a guardian deletes their own comment only; its text is gone for everyone, the row and audit stay', async () => {
    const w = await world('shown');
    const mine = await comment(w.c.guardian, w.work.id, 'Poistan tämän');
    expect((await w.c.guardian2.delete(`/api/guardian-comments/${mine.id}`)).status).toBe(403);
    expect((await w.c.teacher.delete(`/api/guardian-comments/${mine.id}`)).status).toBe(403);
    expect((await w.c.otherGuardian.delete(`/api/guardian-comments/${mine.id}`)).status).toBe(404);
    const live = await listen(w.c.pupil);
    expect((await w.c.guardian.delete(`/api/guardian-comments/${mine.id}`)).status).toBe(200);
    expect((await w.c.guardian.delete(`/api/guardian-comments/${mine.id}`)).status).toBe(404);
    for (const c of [w.c.guardian, w.c.guardian2, w.c.pupil, w.c.teacher]) expect(await commentsSeen(c, w.work.id)).toEqual([]);
    expect(await guardianNotices(w.c.pupil)).toEqual([]);
    await waitFor(() => expect(live.named('guardianComment.changed')).toEqual([{ artefactId: w.work.id, ownerId: w.pupil.id, commentId: mine.id }]));
    const row = await app.database.db
      .withTables<{ guardianComments: { id: string; body: string; state: string } }>()
      .selectFrom('guardianComments')
      .select(['body', 'state'])
      .where('id', '=', mine.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ body: '', state: 'deleted' });
  });
});

describe('reactions', () => {
  it('each guardian toggles each reaction once; everyone who sees the item sees counts, never who; live to them', async () => {
    const w = await world('off');
    const live = { pupil: await listen(w.c.pupil), other: await listen(w.c.otherGuardian) };
    const react = (c: TestClient, reaction: string, given: boolean) =>
      c.put<GuardianVoice>(`/api/artefacts/${w.work.id}/guardian-reactions`, { reaction, given });
    const counts = (v: GuardianVoice | number) =>
      typeof v === 'number' ? v : Object.fromEntries(v.reactions.filter((r) => r.count).map((r) => [r.reaction, [r.count, r.mine]]));
    expect(counts((await react(w.c.guardian, 'heart', true)).body)).toEqual({ heart: [1, true] });
    expect(counts((await react(w.c.guardian, 'heart', true)).body)).toEqual({ heart: [1, true] });
    expect(counts((await react(w.c.guardian2, 'heart', true)).body)).toEqual({ heart: [2, true] });
    expect(counts((await react(w.c.guardian2, 'star', true)).body)).toEqual({ heart: [2, true], star: [1, true] });
    expect(counts(await voiceOf(w.c.pupil, w.work.id))).toEqual({ heart: [2, false], star: [1, false] });
    expect(counts(await voiceOf(w.c.teacher, w.work.id))).toEqual({ heart: [2, false], star: [1, false] });
    expect(counts((await react(w.c.guardian, 'heart', false)).body)).toEqual({ heart: [1, false], star: [1, false] });
    expect(JSON.stringify(await voiceOf(w.c.pupil, w.work.id))).not.toContain(w.guardian.id);
    // Nobody but a guardian of the child reacts; unknown reactions are refused.
    expect((await react(w.c.pupil, 'heart', true)).status).toBe(403);
    expect((await react(w.c.teacher, 'heart', true)).status).toBe(403);
    expect((await react(w.c.otherGuardian, 'heart', true)).status).toBe(404);
    expect((await react(w.c.guardian, 'thumbs_down', true)).status).toBe(400);
    await waitFor(() => expect(live.pupil.named('guardianReaction.changed')).toHaveLength(4));
    expect(live.other.named('guardianReaction.changed')).toEqual([]);
  });
});

describe('cross-family isolation', () => {
  it("two pupils in one project with different guardians: neither family meets the other's child, work, words or names", async () => {
    const w: World = await world('shown');
    await comment(w.c.guardian, w.work.id, 'Ainon äidin viesti');
    await comment(w.c.otherGuardian, w.classmateWork.id, 'Villen äidin viesti');
    await w.c.guardian.put(`/api/artefacts/${w.work.id}/guardian-reactions`, { reaction: 'star', given: true });

    // The other family's item answers as if it did not exist, for reading, reacting and commenting alike.
    expect(await voiceOf(w.c.guardian, w.classmateWork.id)).toBe(404);
    expect((await w.c.guardian.post(`/api/artefacts/${w.classmateWork.id}/guardian-comments`, { body: 'Hei' })).status).toBe(404);
    expect((await w.c.guardian.put(`/api/artefacts/${w.classmateWork.id}/guardian-reactions`, { reaction: 'star', given: true })).status).toBe(404);
    expect((await w.c.otherGuardian.get(`/api/artefacts/${w.work.id}`)).status).toBe(404);

    const mine = JSON.stringify(await voiceOf(w.c.guardian, w.work.id));
    const theirs = JSON.stringify(await voiceOf(w.c.otherGuardian, w.classmateWork.id));
    for (const text of ['Villen', 'Ville Luokkalainen', w.classmate.id, w.otherGuardian.id, w.classmateWork.id]) expect(mine).not.toContain(text);
    for (const text of ['Ainon', 'Aino Oppilas', 'Äiti Oppilas', w.pupil.id, w.guardian.id, w.work.id]) expect(theirs).not.toContain(text);
    // Their notifications and moderation lists hold nothing of the other family either.
    const notices = JSON.stringify((await w.c.otherGuardian.get('/api/notifications')).body);
    expect(notices).not.toContain(w.work.id);
    // The pupils' teachers see both, each in its own thread.
    expect(await commentsSeen(w.c.projectTeacher, w.classmateWork.id)).toEqual([{ body: 'Villen äidin viesti', state: 'shown', author: 'Villen Äiti' }]);
    // The classmate never sees Aino's guardians' words.
    expect(await voiceOf(w.c.classmate, w.work.id)).toBe(404);
  });

  it('unsharing an item closes its voice to guardians; an ended guardian link takes the guardian out', async () => {
    const w = await world('shown');
    await comment(w.c.guardian, w.work.id, 'Näkyy vain jaettuna');
    const db = app.database.db;
    await db.updateTable('artefacts').set({ visibility: 'private' }).where('id', '=', w.work.id).execute();
    expect(await voiceOf(w.c.guardian, w.work.id)).toBe(404);
    expect((await w.c.guardian.post(`/api/artefacts/${w.work.id}/guardian-comments`, { body: 'Hei' })).status).toBe(404);
    expect(await commentsSeen(w.c.pupil, w.work.id)).toEqual([{ body: 'Näkyy vain jaettuna', state: 'shown', author: 'Äiti Oppilas' }]);
    await db.updateTable('artefacts').set({ visibility: 'guardians' }).where('id', '=', w.work.id).execute();
    // The first guardian's link ends: the second no longer sees their comments, and the first nothing.
    await db.deleteFrom('guardianLinks').where('guardianId', '=', w.guardian.id).execute();
    const g1 = await app.as(w.guardian.username);
    const g2 = await app.as(w.guardian2.username);
    expect(await voiceOf(g1, w.work.id)).toBe(404);
    expect(await commentsSeen(g2, w.work.id)).toEqual([]);
  });
});

describe('a sign-in card session', () => {
  it("is the pupil only: it hears of guardian voice on the pupil's own work, not on work of pupils the account teaches elsewhere", async () => {
    const db = app.database.db;
    const w = await makeTwoSchools(db);
    for (const school of [w.schoolA, w.schoolB])
      await db
        .updateTable('schools')
        .set({ guardianComments: 'shown' } as never)
        .where('id', '=', school.id)
        .execute();
    // The card's pupil also teaches a group at school B, whose pupil's guardian comments.
    const person = w.pupil;
    await db.insertInto('schoolRoles').values({ schoolId: w.schoolB.id, userId: person.id, role: 'teacher' }).execute();
    const taughtB = await makeGroup(db, w.schoolB.id);
    const taughtPupil = await makeUser(db, { role: 'pupil', schoolId: w.schoolB.id });
    const guardianB = await makeUser(db, { role: 'guardian', schoolId: w.schoolB.id });
    await addMember(db, taughtB.id, taughtPupil.id, 'pupil');
    await addMember(db, taughtB.id, person.id, 'teacher');
    await linkGuardian(db, guardianB.id, taughtPupil.id);
    const own = await makeArtefact(db, { ownerId: person.id, visibility: 'guardians' });
    const taught = await makeArtefact(db, { ownerId: taughtPupil.id, visibility: 'guardians' });

    const teacherA = await app.as(w.teacher.username);
    const issued = await teacherA.post<IssuedCardsResponse>(`/api/groups/${w.group.id}/sign-in-cards`, { pupilIds: [person.id] });
    expect(issued.status).toBe(201);
    const card = app.client();
    expect((await card.post('/api/auth/card', { cardCode: issued.body.cards[0]?.url.split('#')[1] ?? '' })).status).toBe(200);
    const password = await app.as(person.username);
    const about = (l: Awaited<ReturnType<typeof listen>>, artefactId: string) =>
      (l.named('guardianComment.changed') as Array<{ artefactId: string }>).filter((e) => e.artefactId === artefactId);
    const live = { card: await listen(card), password: await listen(password) };

    await comment(await app.as(guardianB.username), taught.id, 'Oppilaan huoltajan viesti');
    await comment(await app.as(w.guardian.username), own.id, 'Oman huoltajan viesti');
    // The password session hears both (so the card's silence below is its narrowing, not a wrong path).
    await waitFor(() => expect([about(live.password, taught.id).length, about(live.password, own.id).length]).toEqual([1, 1]));
    // The card session hears of its own work; the other event, sent earlier on the same connection, never came.
    await waitFor(() => expect(about(live.card, own.id)).toHaveLength(1));
    expect(about(live.card, taught.id)).toEqual([]);
    // Over HTTP too: the card session reads its own work's voice, and not the taught pupil's.
    expect(await commentsSeen(card, own.id)).toEqual([{ body: 'Oman huoltajan viesti', state: 'shown', author: w.guardian.displayName }]);
    expect(await voiceOf(card, taught.id)).toBe(404);
    expect((await card.get('/api/guardian-comments/moderation')).status).toBe(403);
  });
});
