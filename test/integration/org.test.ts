import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupDetail, SchoolUser, UserDetail } from '../../shared/api/org.ts';
import { makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

async function adminOfNewSchool(): Promise<{ client: TestClient; schoolId: string; adminId: string }> {
  const school = await makeSchool(app.database.db);
  const admin = await makeUser(app.database.db, { role: 'admin', schoolId: school.id });
  return { client: await app.as(admin.username), schoolId: school.id, adminId: admin.id };
}

describe('an admin rosters a school', () => {
  it('creates a group, a teacher and a pupil with a password, puts them in the group, and the pupil can sign in', async () => {
    const { client, schoolId } = await adminOfNewSchool();
    const group = await client.post<{ id: string; memberCount: number }>(`/api/schools/${schoolId}/groups`, { name: '7B', schoolYear: '2026-2027' });
    expect(group.status).toBe(201);
    expect(group.body.memberCount).toBe(0);

    const username = `ella.${Date.now()}`;
    const pupil = await client.post<SchoolUser>(`/api/schools/${schoolId}/users`, {
      username: ` ${username.toUpperCase()} `,
      displayName: 'Ella Esimerkki',
      role: 'pupil',
      password: 'a long enough password',
    });
    expect(pupil.status).toBe(201);
    expect(pupil.body).toMatchObject({ username, roles: ['pupil'], active: true });
    expect(pupil.body).not.toHaveProperty('passwordHash');

    const teacher = await client.post<SchoolUser>(`/api/schools/${schoolId}/users`, {
      username: `ope.${Date.now()}`,
      displayName: 'Olli Opettaja',
      role: 'teacher',
    });
    expect((await client.put(`/api/groups/${group.body.id}/members/${pupil.body.id}`, { role: 'pupil' })).status).toBe(200);
    const detail = await client.put<GroupDetail>(`/api/groups/${group.body.id}/members/${teacher.body.id}`, { role: 'teacher' });
    expect(detail.body.members.map((m) => [m.displayName, m.role])).toEqual([
      ['Olli Opettaja', 'teacher'],
      ['Ella Esimerkki', 'pupil'],
    ]);
    expect(detail.body.group.memberCount).toBe(2);

    const signedIn = await app.client().post('/api/auth/login', { username, password: 'a long enough password' });
    expect(signedIn.status).toBe(200);

    const removed = await client.delete<GroupDetail>(`/api/groups/${group.body.id}/members/${pupil.body.id}`);
    expect(removed.body.members.map((m) => m.displayName)).toEqual(['Olli Opettaja']);
    expect((await client.delete(`/api/groups/${group.body.id}/members/${pupil.body.id}`)).status).toBe(404);
  });

  it('refuses to put a pupil in a group as a teacher, naming the field', async () => {
    const { client, schoolId } = await adminOfNewSchool();
    const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId });
    const group = await client.post<{ id: string }>(`/api/schools/${schoolId}/groups`, { name: '3A' });
    const res = await client.put(`/api/groups/${group.body.id}/members/${pupil.id}`, { role: 'teacher' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { details: [{ path: 'params.userId' }] } });
  });

  it('answers a taken username or group name with 409 and writes nothing', async () => {
    const { client, schoolId } = await adminOfNewSchool();
    const existing = await makeUser(app.database.db, { role: 'pupil' });
    const taken = await client.post(`/api/schools/${schoolId}/users`, { username: existing.username, displayName: 'Joku', role: 'pupil' });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ error: { code: 'conflict', message: expect.stringContaining(existing.username) } });
    expect((await client.post(`/api/schools/${schoolId}/groups`, { name: '9C', schoolYear: '2026-2027' })).status).toBe(201);
    const twice = await client.post(`/api/schools/${schoolId}/groups`, { name: '9C', schoolYear: '2026-2027' });
    expect(twice.status).toBe(409);
    const groups = await client.get<{ groups: unknown[] }>(`/api/schools/${schoolId}/groups`);
    expect(groups.body.groups).toHaveLength(1);
  });

  it('validates input with messages that name the field', async () => {
    const { client, schoolId } = await adminOfNewSchool();
    const res = await client.post(`/api/schools/${schoolId}/users`, { username: 'x', displayName: '   ', role: 'wizard', password: 'short' });
    expect(res.status).toBe(400);
    const paths = (res.body as { error: { details: Array<{ path: string }> } }).error.details.map((d) => d.path).sort();
    expect(paths).toEqual(['body.displayName', 'body.password', 'body.role', 'body.username']);
  });

  it('edits a user, lists users by role, and keeps an audit trail of the changes', async () => {
    const { client, schoolId, adminId } = await adminOfNewSchool();
    const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId });
    await makeUser(app.database.db, { role: 'teacher', schoolId });
    const edited = await client.patch<UserDetail>(`/api/users/${pupil.id}`, { displayName: 'Uusi Nimi', email: 'uusi@example.fi', locale: 'sv' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ displayName: 'Uusi Nimi', email: 'uusi@example.fi', locale: 'sv', roles: [{ schoolId, role: 'pupil' }] });
    const pupils = await client.get<{ users: SchoolUser[] }>(`/api/schools/${schoolId}/users?role=pupil`);
    expect(pupils.body.users.map((u) => u.id)).toEqual([pupil.id]);
    const audit = await app.database.db.selectFrom('auditEvents').select(['action', 'actorId']).where('subjectUserId', '=', pupil.id).execute();
    expect(audit).toEqual([{ action: 'user.update', actorId: adminId }]);
  });

  it('links a guardian to a pupil once, only a guardian, and unlinks', async () => {
    const { client, schoolId } = await adminOfNewSchool();
    const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId });
    const guardian = await makeUser(app.database.db, { role: 'guardian', schoolId });
    const teacher = await makeUser(app.database.db, { role: 'teacher', schoolId });

    const notGuardian = await client.post('/api/guardian-links', { guardianId: teacher.id, pupilId: pupil.id });
    expect(notGuardian.status).toBe(400);
    expect(notGuardian.body).toMatchObject({ error: { details: [{ path: 'body.guardianId' }] } });

    const link = await client.post('/api/guardian-links', { guardianId: guardian.id, pupilId: pupil.id });
    expect(link.status).toBe(201);
    expect(link.body).toMatchObject({ guardian: { id: guardian.id }, pupil: { id: pupil.id } });
    expect((await client.post('/api/guardian-links', { guardianId: guardian.id, pupilId: pupil.id })).status).toBe(409);

    const list = await client.get<{ links: unknown[] }>(`/api/schools/${schoolId}/guardian-links`);
    expect(list.body.links).toHaveLength(1);
    const guardianClient = await app.as(guardian.username);
    expect((await guardianClient.get<{ children: Array<{ id: string }> }>('/api/me/children')).body.children.map((c) => c.id)).toEqual([pupil.id]);

    expect((await client.delete(`/api/guardian-links/${guardian.id}/${pupil.id}`)).status).toBe(200);
    expect((await client.get<{ links: unknown[] }>(`/api/schools/${schoolId}/guardian-links`)).body.links).toHaveLength(0);
  });

  it('creates a school whose creator becomes its admin', async () => {
    const { client } = await adminOfNewSchool();
    const created = await client.post<{ id: string; code: string | null }>('/api/schools', { name: 'Toinen koulu' });
    expect(created.status).toBe(201);
    expect(created.body.code).toBeNull();
    const me = await client.get<{ roles: Array<{ schoolId: string; role: string }> }>('/api/me');
    expect(me.body.roles).toContainEqual({ schoolId: created.body.id, role: 'admin' });
    expect((await client.patch(`/api/schools/${created.body.id}`, { name: 'Toinen koulu (uusi nimi)' })).status).toBe(200);
  });

  it('lets no admin set a school code, when creating a school or later: it decides where MPASSid sign-ins land, so only the operator sets it', async () => {
    const { client, schoolId } = await adminOfNewSchool();
    const claimed = await client.post<{ error: { message: string; details?: Array<{ path: string; message: string }> } }>('/api/schools', {
      name: 'Naapurikoulu',
      code: '00123',
    });
    expect(claimed.status).toBe(400);
    expect(JSON.stringify(claimed.body)).toMatch(/operator/);
    const changed = await client.patch(`/api/schools/${schoolId}`, { code: '00123' });
    expect(changed.status).toBe(400);
    expect(JSON.stringify(changed.body)).toMatch(/operator/);
    expect((await client.patch(`/api/schools/${schoolId}`, { code: null })).status).toBe(400);
    const rows = await app.database.db.selectFrom('schools').select('id').where('code', '=', '00123').execute();
    expect(rows).toEqual([]);
  });
});
