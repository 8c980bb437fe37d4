import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from '../helpers/factories.ts';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ loginLimits: { perAccount: 3, perAddress: 1000, windowSeconds: 60 } });
});
afterAll(async () => app?.close());

describe('sign-in', () => {
  it('signs in, answers /api/me, and signs out', async () => {
    const pupil = await makeUser(app.database.db, { role: 'pupil' });
    const client = app.client();
    expect((await client.get('/api/me')).status).toBe(401);

    const login = await client.post('/api/auth/login', { username: pupil.username.toUpperCase(), password: TEST_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ user: { id: pupil.id, username: pupil.username }, roles: [{ schoolId: pupil.schoolId, role: 'pupil' }] });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('polku.sid='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // plain http in tests; production sets Secure

    const me = await client.get<{ schools: Array<{ id: string }> }>('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.schools.map((s) => s.id)).toEqual([pupil.schoolId]);

    const stolen = client.cookieHeader;
    expect((await client.post('/api/auth/logout')).status).toBe(200);
    expect((await client.get('/api/me')).status).toBe(401);
    // The old cookie is dead on the server too, not just forgotten by this client.
    const replay = await fetch(`${app.url}/api/me`, { headers: { cookie: stolen } });
    expect(replay.status).toBe(401);
  });

  it('gives a new session id at sign-in (no session fixation)', async () => {
    const first = await makeUser(app.database.db, { role: 'pupil' });
    const second = await makeUser(app.database.db, { role: 'pupil' });
    const client = await app.as(first.username);
    const before = client.cookieHeader;
    await client.login(second.username, TEST_PASSWORD);
    expect(client.cookieHeader).toMatch(/polku\.sid=/);
    expect(client.cookieHeader).not.toBe(before);
    // The session id held before sign-in is worthless afterwards.
    const replay = await fetch(`${app.url}/api/me`, { headers: { cookie: before } });
    expect(replay.status).toBe(401);
  });

  it('answers wrong usernames and wrong passwords with the same message', async () => {
    const pupil = await makeUser(app.database.db, { role: 'pupil' });
    const wrongPassword = await app.client().post('/api/auth/login', { username: pupil.username, password: 'not it' });
    const noSuchUser = await app.client().post('/api/auth/login', { username: 'no.such.user', password: 'not it' });
    expect(wrongPassword.status).toBe(401);
    expect(noSuchUser.status).toBe(401);
    expect(wrongPassword.body).toEqual(noSuchUser.body);
    expect(wrongPassword.body).toMatchObject({ error: { code: 'invalid_credentials' } });
  });

  it('refuses deactivated accounts and ends their sessions', async () => {
    const pupil = await makeUser(app.database.db, { role: 'pupil' });
    const admin = await makeUser(app.database.db, { role: 'admin', schoolId: pupil.schoolId });
    const pupilClient = await app.as(pupil.username);
    const adminClient = await app.as(admin.username);
    expect((await adminClient.patch(`/api/users/${pupil.id}`, { active: false })).status).toBe(200);
    expect((await pupilClient.get('/api/me')).status).toBe(401);
    expect((await app.client().post('/api/auth/login', { username: pupil.username, password: TEST_PASSWORD })).status).toBe(401);
  });

  it('signs out everywhere when asked', async () => {
    const teacher = await makeUser(app.database.db, { role: 'teacher' });
    const laptop = await app.as(teacher.username);
    const phone = await app.as(teacher.username);
    expect((await laptop.post('/api/auth/logout', { everywhere: true })).status).toBe(200);
    expect((await phone.get('/api/me')).status).toBe(401);
  });

  it('rate-limits failed sign-ins per account with a clear 429', async () => {
    const pupil = await makeUser(app.database.db, { role: 'pupil' });
    for (let i = 0; i < 3; i++) {
      expect((await app.client().post('/api/auth/login', { username: pupil.username, password: 'guess' })).status).toBe(401);
    }
    const limited = await app.client().post('/api/auth/login', { username: pupil.username, password: TEST_PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.body).toMatchObject({ error: { code: 'too_many_requests', message: expect.stringMatching(/wait/) } });
  });

  it('rate-limits failed sign-ins per address across accounts', async () => {
    // Its own app, so that this address's budget is fresh and the other tests keep theirs.
    const limited = await startTestApp({ database: app.database, loginLimits: { perAccount: 100, perAddress: 4, windowSeconds: 60 } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await limited.client().post('/api/auth/login', { username: `nobody.${i}`, password: 'guess' })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it('keeps the demo password out of non-demo mode', async () => {
    const { DEMO_PASSWORD } = await import('../../server/seed/demo-school.ts');
    const { hashPassword } = await import('../../server/auth/password.ts');
    const user = await makeUser(app.database.db, { role: 'pupil' });
    await app.database.db
      .updateTable('users')
      .set({ passwordHash: await hashPassword(DEMO_PASSWORD) })
      .where('id', '=', user.id)
      .execute();
    expect((await app.client().post('/api/auth/login', { username: user.username, password: DEMO_PASSWORD })).status).toBe(401);
  });
});

describe('cross-site request forgery', () => {
  it('refuses state-changing requests from another origin but lets non-browser clients through', async () => {
    const pupil = await makeUser(app.database.db, { role: 'pupil' });
    const client = await app.as(pupil.username);
    const evil = await client.request('PATCH', '/api/me', { locale: 'sv' }, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.body).toMatchObject({ error: { code: 'cross_site_request' } });
    const crossSite = await client.request('PATCH', '/api/me', { locale: 'sv' }, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const sameOrigin = await client.request('PATCH', '/api/me', { locale: 'sv' }, { origin: app.url, 'sec-fetch-site': 'same-origin' });
    expect(sameOrigin.status).toBe(200);
    const script = await client.patch('/api/me', { locale: 'en' });
    expect(script.status).toBe(200);
    expect(script.body).toMatchObject({ user: { locale: 'en' } });
  });
});
