import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserDirectoryResponse } from '../../shared/api/sign-in-cards.ts';
import { addMember, makeGroup, makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/** Issue 11 §6: the admin's user list (search, filters, pages) and its bulk actions. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

async function school() {
  const db = app.database.db;
  const { id: schoolId } = await makeSchool(db);
  const [group3a, group4a] = [await makeGroup(db, schoolId, '3A'), await makeGroup(db, schoolId, '4A')];
  const admin = await makeUser(db, { role: 'admin', schoolId, displayName: 'Aino Admin' });
  const pupils = [];
  // 30 pupils named in a known order; every third is in 3A; one name with a percent sign, one inactive.
  for (let i = 0; i < 30; i++) {
    const name = i === 7 ? 'Pupu 100% Jänis' : `Oppilas ${String(i).padStart(2, '0')}`;
    const pupil = await makeUser(db, { role: 'pupil', schoolId, displayName: name, active: i !== 5 });
    if (i % 3 === 0) await addMember(db, group3a.id, pupil.id, 'pupil');
    pupils.push(pupil);
  }
  const teacher = await makeUser(db, { role: 'teacher', schoolId, displayName: 'Opettaja Olli' });
  await addMember(db, group3a.id, teacher.id, 'teacher');
  // Someone from another school never shows up.
  await makeUser(db, { role: 'pupil', displayName: 'Oppilas 99' });
  return { schoolId, group3a, group4a, admin, pupils, teacher, client: await app.as(admin.username) };
}

describe("the admin's user list", () => {
  it('searches, filters and pages on the server', async () => {
    const s = await school();
    const list = (query: string) => s.client.get<UserDirectoryResponse>(`/api/schools/${s.schoolId}/user-directory${query}`);
    const first = await list('?role=pupil&pageSize=25');
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(30);
    expect(first.body.users).toHaveLength(25);
    const second = await list('?role=pupil&pageSize=25&page=2');
    expect(second.body.users).toHaveLength(5);
    expect(new Set([...first.body.users, ...second.body.users].map((u) => u.id)).size).toBe(30);
    // Beyond the last page: no rows, the total still right.
    const beyond = await list('?role=pupil&page=9');
    expect(beyond.body).toMatchObject({ users: [], total: 30 });

    expect((await list('?q=olli')).body.users.map((u) => u.displayName)).toEqual(['Opettaja Olli']);
    // % is a letter in the search box, not a wildcard.
    expect((await list('?q=100%25')).body.users.map((u) => u.displayName)).toEqual(['Pupu 100% Jänis']);
    expect((await list('?q=%25')).body.total).toBe(1);
    const inGroup = await list(`?groupId=${s.group3a.id}&role=pupil`);
    expect(inGroup.body.total).toBe(10);
    expect(inGroup.body.users.every((u) => u.groups.some((g) => g.name === '3A'))).toBe(true);
    expect((await list('?active=false')).body.users.map((u) => u.id)).toEqual([s.pupils[5]?.id]);
    const teacherRow = (await list('?role=teacher')).body.users[0];
    expect(teacherRow).toMatchObject({ displayName: 'Opettaja Olli', roles: ['teacher'], groups: [{ name: '3A' }] });

    // Validated query: a wrong page size, an unknown filter.
    expect((await list('?pageSize=1000')).status).toBe(400);
    expect((await list('?sort=password')).status).toBe(400);
    // Only the school's admins.
    expect((await (await app.as(s.teacher.username)).get(`/api/schools/${s.schoolId}/user-directory`)).status).toBe(403);
  });

  it('moves pupils to a group, deactivates and undoes it, in bulk', async () => {
    const s = await school();
    const chosen = [s.pupils[0], s.pupils[1], s.pupils[2]].map((p) => p?.id ?? '');
    const bulk = (body: unknown) => s.client.post<{ changed: number }>(`/api/schools/${s.schoolId}/users/bulk`, body);

    const moved = await bulk({ action: 'moveToGroup', userIds: chosen, groupId: s.group4a.id });
    expect(moved.body.changed).toBe(3);
    const memberships = await app.database.db.selectFrom('memberships').select(['groupId', 'userId']).where('userId', 'in', chosen).execute();
    expect(memberships.every((m) => m.groupId === s.group4a.id)).toBe(true);
    expect(memberships).toHaveLength(3);
    // A teacher is not moved; nothing changes.
    expect((await bulk({ action: 'moveToGroup', userIds: [s.teacher.id, chosen[0]], groupId: s.group3a.id })).status).toBe(400);
    // Another school's group is not found.
    const other = await makeGroup(app.database.db, (await makeSchool(app.database.db)).id);
    expect((await bulk({ action: 'moveToGroup', userIds: chosen, groupId: other.id })).status).toBe(404);

    // Deactivate: the pupils' sessions end at once.
    const pupilSession = await app.as(s.pupils[0]?.username ?? '');
    expect((await bulk({ action: 'deactivate', userIds: chosen })).body.changed).toBe(3);
    expect((await pupilSession.get('/api/me')).status).toBe(401);
    const inactive = await app.database.db.selectFrom('users').select('active').where('id', 'in', chosen).execute();
    expect(inactive.every((u) => !u.active)).toBe(true);
    // Undo.
    expect((await bulk({ action: 'activate', userIds: chosen })).body.changed).toBe(3);
    expect((await app.as(s.pupils[0]?.username ?? '')).cookieHeader).toContain('polku.sid=');

    // Never one's own account; never someone of another school; nobody outside the school's admins.
    expect((await bulk({ action: 'deactivate', userIds: [s.admin.id] })).status).toBe(400);
    const stranger = await makeUser(app.database.db, { role: 'pupil' });
    expect((await bulk({ action: 'deactivate', userIds: [stranger.id] })).status).toBe(404);
    const shared = await makeUser(app.database.db, { role: 'pupil', schoolId: s.schoolId });
    await app.database.db
      .insertInto('schoolRoles')
      .values({ schoolId: (await makeSchool(app.database.db)).id, userId: shared.id, role: 'pupil' })
      .execute();
    expect((await bulk({ action: 'deactivate', userIds: [shared.id] })).status).toBe(403);
    expect((await (await app.as(s.teacher.username)).post(`/api/schools/${s.schoolId}/users/bulk`, { action: 'deactivate', userIds: chosen })).status).toBe(
      403,
    );
    // The audit trail names each.
    const audit = await app.database.db
      .selectFrom('auditEvents')
      .select('subjectUserId')
      .where('actorId', '=', s.admin.id)
      .where('action', '=', 'user.update')
      .execute();
    expect(audit.length).toBe(6);
  });
});
