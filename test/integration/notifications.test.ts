import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InvitationLetters } from '../../shared/api/invitations.ts';
import type { Notification, NotificationPage, UnreadCount } from '../../shared/api/notifications.ts';
import { addMember, linkGuardian, makeArtefact, makeGroup, makeSchool, makeUser } from '../helpers/factories.ts';
import { liveListeners } from '../helpers/live-listener.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
const { listen, closeAll } = liveListeners(() => app.url);
afterAll(async () => {
  closeAll();
  await app?.close();
});

let n = 0;
const unique = () => `${Date.now().toString(36)}${n++}`;

/** A school: a group with a pupil and a classmate, their teacher, another teacher, an admin, the pupil's guardian and another family's. */
async function world() {
  const db = app.database.db;
  const school = await makeSchool(db);
  const group = await makeGroup(db, school.id);
  const [pupil, classmate, teacher, otherTeacher, admin, guardian, otherGuardian] = await Promise.all([
    makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Aino Oppilas' }),
    makeUser(db, { role: 'pupil', schoolId: school.id }),
    makeUser(db, { role: 'teacher', schoolId: school.id, displayName: 'Opettaja Olli' }),
    makeUser(db, { role: 'teacher', schoolId: school.id }),
    makeUser(db, { role: 'admin', schoolId: school.id }),
    makeUser(db, { role: 'guardian', schoolId: school.id }),
    makeUser(db, { role: 'guardian', schoolId: school.id }),
  ]);
  await addMember(db, group.id, pupil.id, 'pupil');
  await addMember(db, group.id, classmate.id, 'pupil');
  await addMember(db, group.id, teacher.id, 'teacher');
  await linkGuardian(db, guardian.id, pupil.id);
  await linkGuardian(db, otherGuardian.id, classmate.id);
  const as = async (u: { username: string }) => app.as(u.username);
  return {
    school,
    group,
    pupil,
    classmate,
    teacher,
    otherTeacher,
    admin,
    guardian,
    otherGuardian,
    c: {
      pupil: await as(pupil),
      classmate: await as(classmate),
      teacher: await as(teacher),
      otherTeacher: await as(otherTeacher),
      admin: await as(admin),
      guardian: await as(guardian),
      otherGuardian: await as(otherGuardian),
    },
  };
}

const artefactOf = (i: Notification) => ('artefactId' in i.data ? i.data.artefactId : null);

async function list(client: TestClient, query = ''): Promise<NotificationPage> {
  const res = await client.get<NotificationPage>(`/api/notifications${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}
async function unread(client: TestClient): Promise<UnreadCount> {
  const res = await client.get<UnreadCount>('/api/notifications/unread-count');
  expect(res.status, res.text).toBe(200);
  return res.body;
}
async function writeFeedback(client: TestClient, artefactId: string, body: Record<string, unknown> = {}) {
  const res = await client.post<{ id: string }>(`/api/artefacts/${artefactId}/feedback`, { body: 'Hyvä alku! Lisää kuva.', parentId: null, ...body });
  expect(res.status, res.text).toBe(201);
  return res.body;
}
async function share(client: TestClient, artefactId: string, visibility: 'guardians' | 'private') {
  const res = await client.request('PATCH', `/api/artefacts/${artefactId}`, { visibility });
  expect(res.status, res.text).toBe(200);
}

/** A real Socket.IO client on the user's session, recording every event it hears. */

describe('notification centre: producers', () => {
  it("a teacher's feedback notifies the pupil, in the list, the unread count and live; the author and others hear nothing", async () => {
    const w = await world();
    const work = await makeArtefact(app.database.db, { ownerId: w.pupil.id, title: 'Vesiprojekti' });
    const live = await listen(w.c.pupil);
    const feedback = await writeFeedback(w.c.teacher, work.id);

    const page = await list(w.c.pupil);
    expect(page.items).toEqual([
      {
        id: expect.any(String),
        kind: 'feedback',
        createdAt: expect.any(String),
        readAt: null,
        data: { artefactId: work.id, feedbackId: feedback.id, pupilId: w.pupil.id, title: 'Vesiprojekti', authorName: 'Opettaja Olli' },
      },
    ]);
    // The message itself never travels in a notification.
    expect(JSON.stringify(page)).not.toContain('Lisää kuva');
    expect(await unread(w.c.pupil)).toEqual({ count: 1, more: false });
    await vi.waitFor(() => expect(live.named('notification.created')).toEqual([page.items[0]]), { timeout: 5000, interval: 20 });

    // The author, the pupil's own replies, and everyone else: nothing.
    await writeFeedback(w.c.pupil, work.id, { parentId: feedback.id });
    for (const c of [w.c.teacher, w.c.classmate, w.c.guardian, w.c.admin]) expect((await list(c)).items).toEqual([]);
    expect(await unread(w.c.pupil)).toEqual({ count: 1, more: false });
  });

  it('feedback asking for a revision notifies as revision_requested', async () => {
    const w = await world();
    const work = await makeArtefact(app.database.db, { ownerId: w.pupil.id });
    await writeFeedback(w.c.teacher, work.id, { revise: true });
    expect((await list(w.c.pupil)).items.map((i) => i.kind)).toEqual(['revision_requested']);
  });

  it('sharing with guardians notifies the pupil’s linked guardians only, once per share', async () => {
    const w = await world();
    const work = await makeArtefact(app.database.db, { ownerId: w.pupil.id, title: 'Kevätretki' });
    const live = await listen(w.c.guardian);
    await share(w.c.pupil, work.id, 'guardians');
    // A second save while shared tells no one again.
    await w.c.pupil.request('PATCH', `/api/artefacts/${work.id}`, { title: 'Kevätretki 2' });
    const page = await list(w.c.guardian);
    expect(page.items).toMatchObject([
      { kind: 'shared_work', data: { artefactId: work.id, pupilId: w.pupil.id, title: 'Kevätretki', pupilName: 'Aino Oppilas' } },
    ]);
    await vi.waitFor(() => expect(live.named('notification.created')).toEqual(page.items), { timeout: 5000, interval: 20 });
    for (const c of [w.c.otherGuardian, w.c.teacher, w.c.pupil]) expect((await list(c)).items).toEqual([]);
  });

  it('a new item created already shared notifies the guardian', async () => {
    const w = await world();
    const made = await w.c.pupil.post<{ id: string }>('/api/artefacts', { title: 'Suoraan jaettu', visibility: 'guardians' });
    expect(made.status, made.text).toBe(201);
    expect((await list(w.c.guardian)).items).toMatchObject([{ kind: 'shared_work', data: { artefactId: made.body.id } }]);
  });

  it('a showcase shared with guardians notifies the pupil’s guardians once; un-shared, the notice goes', async () => {
    const w = await world();
    const made = await w.c.pupil.post<{ id: string }>('/api/showcases', { title: 'Kevään parhaat' });
    expect(made.status, made.text).toBe(201);
    expect(await list(w.c.guardian)).toMatchObject({ items: [] });
    const live = await listen(w.c.guardian);
    expect((await w.c.pupil.patch(`/api/showcases/${made.body.id}`, { visibility: 'guardians' })).status).toBe(200);
    expect((await w.c.pupil.patch(`/api/showcases/${made.body.id}`, { title: 'Kevään parhaat työt' })).status).toBe(200);
    const page = await list(w.c.guardian);
    expect(page.items).toMatchObject([{ kind: 'shared_showcase', data: { showcaseId: made.body.id, pupilName: 'Aino Oppilas', title: 'Kevään parhaat' } }]);
    expect(page.items).toHaveLength(1);
    await vi.waitFor(() => expect(live.named('notification.created')).toHaveLength(1), { timeout: 5000, interval: 20 });
    expect((await list(w.c.otherGuardian)).items).toEqual([]);
    expect((await list(w.c.teacher)).items).toEqual([]);
    expect((await w.c.pupil.patch(`/api/showcases/${made.body.id}`, { visibility: 'private' })).status).toBe(200);
    expect((await list(w.c.guardian)).items).toEqual([]);
  });

  it('an accepted invitation notifies the teacher who made it, and no other teacher', async () => {
    const w = await world();
    const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: w.school.id, displayName: 'Eetu Oppilas' });
    await addMember(app.database.db, w.group.id, pupil.id, 'pupil');
    const made = await w.c.teacher.post<InvitationLetters>('/api/guardian-invitations', { pupilId: pupil.id });
    expect(made.status, made.text).toBe(201);
    const live = await listen(w.c.teacher);
    const accepted = await app.client().post('/api/invitations/accept', {
      code: made.body.letters[0]!.code,
      account: { kind: 'new', username: `huoltaja.${unique()}`, displayName: 'Hanna Huoltaja', password: 'hyvä pitkä salasana' },
    });
    expect(accepted.status, accepted.text).toBe(200);
    const page = await list(w.c.teacher);
    expect(page.items).toMatchObject([
      {
        kind: 'invitation_accepted',
        data: { invitationId: made.body.letters[0]!.invitationId, pupilId: pupil.id, pupilName: 'Eetu Oppilas', guardianName: 'Hanna Huoltaja' },
      },
    ]);
    await vi.waitFor(() => expect(live.named('notification.created')).toEqual(page.items), { timeout: 5000, interval: 20 });
    expect((await list(w.c.otherTeacher)).items).toEqual([]);
    expect((await list(w.c.admin)).items).toEqual([]);
    // The teacher who no longer teaches the pupil no longer sees it.
    await app.database.db.deleteFrom('memberships').where('groupId', '=', w.group.id).where('userId', '=', w.teacher.id).execute();
    expect((await list(await app.as(w.teacher.username))).items).toEqual([]);
  });
});

describe('notification centre: policy', () => {
  it('only the recipient lists or marks a notification', async () => {
    const w = await world();
    const work = await makeArtefact(app.database.db, { ownerId: w.pupil.id });
    await writeFeedback(w.c.teacher, work.id);
    const [item] = (await list(w.c.pupil)).items as [Notification];
    for (const c of [w.c.classmate, w.c.teacher, w.c.guardian, w.c.admin, w.c.otherTeacher]) {
      const res = await c.post(`/api/notifications/${item.id}/read`);
      expect(res.status).toBe(404);
      // Someone else's notification is no cursor for one's own list either.
      expect((await list(c, `?before=${item.id}`)).items).toEqual([]);
      await c.post('/api/notifications/read-all');
    }
    expect((await list(w.c.pupil)).items[0]?.readAt).toBeNull();
    expect((await app.client().get('/api/notifications')).status).toBe(401);
  });

  it('a guardian loses the notification when the item is unshared, and again when the link is removed', async () => {
    const w = await world();
    const unshared = await makeArtefact(app.database.db, { ownerId: w.pupil.id, title: 'Jaettu hetken' });
    const kept = await makeArtefact(app.database.db, { ownerId: w.pupil.id, title: 'Jaettuna pysyvä' });
    await share(w.c.pupil, unshared.id, 'guardians');
    await share(w.c.pupil, kept.id, 'guardians');
    expect((await list(w.c.guardian)).items.map((i) => artefactOf(i) === kept.id)).toEqual([true, false]);
    expect(await unread(w.c.guardian)).toEqual({ count: 2, more: false });

    await share(w.c.pupil, unshared.id, 'private');
    const after = await list(w.c.guardian);
    expect(after.items.map((i) => (i.kind === 'shared_work' ? i.data.title : null))).toEqual(['Jaettuna pysyvä']);
    expect(await unread(w.c.guardian)).toEqual({ count: 1, more: false });
    const hidden = await app.database.db
      .withTables<{ notifications: { id: string; recipientId: string } }>()
      .selectFrom('notifications')
      .select('id')
      .where('recipientId', '=', w.guardian.id)
      .execute();
    const hiddenId = hidden.map((h) => h.id).find((id) => !after.items.some((i) => i.id === id));
    expect(hiddenId).toBeDefined();
    expect((await w.c.guardian.post(`/api/notifications/${hiddenId}/read`)).status).toBe(404);

    const unlinked = await w.c.admin.request('DELETE', `/api/guardian-links/${w.guardian.id}/${w.pupil.id}`);
    expect(unlinked.status, unlinked.text).toBe(200);
    expect((await list(w.c.guardian)).items).toEqual([]);
    expect(await unread(w.c.guardian)).toEqual({ count: 0, more: false });
  });

  it('a notification of deleted feedback or a deleted item is not shown', async () => {
    const w = await world();
    const work = await makeArtefact(app.database.db, { ownerId: w.pupil.id });
    const other = await makeArtefact(app.database.db, { ownerId: w.pupil.id });
    const feedback = await writeFeedback(w.c.teacher, work.id);
    await writeFeedback(w.c.teacher, other.id);
    expect((await list(w.c.pupil)).items).toHaveLength(2);
    expect((await w.c.teacher.request('DELETE', `/api/artefacts/${work.id}/feedback/${feedback.id}`)).status).toBe(200);
    expect((await list(w.c.pupil)).items.map((i) => artefactOf(i))).toEqual([other.id]);
    expect((await w.c.pupil.request('DELETE', `/api/artefacts/${other.id}`)).status).toBe(200);
    expect((await list(w.c.pupil)).items).toEqual([]);
  });
});

describe('notification centre: reading', () => {
  it('pages newest first, marks one and all read, and tells the recipient’s other tabs', async () => {
    const w = await world();
    const works = [];
    for (let i = 0; i < 3; i++) works.push(await makeArtefact(app.database.db, { ownerId: w.pupil.id, title: `Työ ${i}` }));
    for (const work of works) await writeFeedback(w.c.teacher, work.id);
    const first = await list(w.c.pupil, '?limit=2');
    expect(first.items.map((i) => artefactOf(i))).toEqual([works[2]!.id, works[1]!.id]);
    expect(first.nextBefore).toBe(first.items[1]!.id);
    const second = await list(w.c.pupil, `?limit=2&before=${first.nextBefore}`);
    expect(second.items.map((i) => artefactOf(i))).toEqual([works[0]!.id]);
    expect(second.nextBefore).toBeNull();
    expect((await w.c.pupil.get('/api/notifications?limit=500')).status).toBe(400);
    expect((await w.c.pupil.get('/api/notifications?before=nope')).status).toBe(400);

    const otherTab = await listen(w.c.pupil);
    expect(await unread(w.c.pupil)).toEqual({ count: 3, more: false });
    expect((await w.c.pupil.post(`/api/notifications/${first.items[0]!.id}/read`)).status).toBe(200);
    expect(await unread(w.c.pupil)).toEqual({ count: 2, more: false });
    expect((await list(w.c.pupil)).items[0]?.readAt).toEqual(expect.any(String));
    expect((await w.c.pupil.post('/api/notifications/read-all')).status).toBe(200);
    expect(await unread(w.c.pupil)).toEqual({ count: 0, more: false });
    await vi.waitFor(() => expect(otherTab.named('notification.read')).toEqual([{ notificationId: first.items[0]!.id }, { notificationId: null }]), {
      timeout: 5000,
      interval: 20,
    });
  });
});

describe('notification centre: keeping', () => {
  it('prunes read notifications after 120 days and unread ones after a year, nobody else’s and nothing newer', async () => {
    const w = await world();
    const db = app.database.db;
    const work = await makeArtefact(db, { ownerId: w.pupil.id, title: 'Vanha työ' });
    for (let i = 0; i < 4; i++) await writeFeedback(w.c.teacher, work.id);
    const mine = (await list(w.c.pupil)).items;
    expect(mine).toHaveLength(4);
    const [readOld, readRecent, unreadOld, unreadRecent] = mine.map((i) => i.id) as [string, string, string, string];
    const day = 24 * 3600_000;
    const now = new Date();
    const age = async (id: string, createdDaysAgo: number, readDaysAgo: number | null) =>
      sql`update notifications set created_at = ${new Date(now.getTime() - createdDaysAgo * day)},
          read_at = ${readDaysAgo === null ? null : new Date(now.getTime() - readDaysAgo * day)} where id = ${id}`.execute(db);
    await age(readOld, 200, 121);
    await age(readRecent, 200, 100);
    await age(unreadOld, 366, null);
    await age(unreadRecent, 300, null);

    expect(await app.polku.maintenance.pruneNotifications(now)).toBeGreaterThanOrEqual(2);
    expect((await list(w.c.pupil)).items.map((i) => i.id).sort()).toEqual([readRecent, unreadRecent].sort());
  });
});
