import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { addMember, linkGuardian, makeArtefact, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { TestClient } from '../helpers/test-client.ts';
import { testDatabaseKind } from '../helpers/test-db.ts';

/**
 * Each server process keeps a session with its user's policy facts for SESSION_CACHE_MS, so that
 * reads need not ask the database who is asking. What that must never cost: a change made through
 * Polku counts at the very next request, in this process and (through the realtime adapter) in the
 * deployment's others; a change made beside Polku (SQL by hand) counts within SESSION_CACHE_MS. Each
 * check below fails if the cache kept what it must forget.
 */
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
const timeline = (pupilId: string) => `/api/pupils/${pupilId}/artefacts`;

describe('the session cache, when Polku changes who may see what', () => {
  let app: TestApp;
  beforeAll(async () => {
    // A cache far longer than the test: only forgetting can explain a changed answer.
    app = await startTestApp({ env: { SESSION_CACHE_MS: '60000' } });
    w = await makeTwoSchools(app.database.db);
    await makeArtefact(app.database.db, { ownerId: w.pupil.id, visibility: 'guardians', title: 'Jaettu työ' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('counts a removed guardian link and a removed membership at the next request', async () => {
    const db = app.database.db;
    const admin = await app.as(w.admin.username);

    const guardian = await makeUser(db, { role: 'guardian', schoolId: w.schoolA.id });
    await linkGuardian(db, guardian.id, w.pupil.id);
    const asGuardian = await app.as(guardian.username);
    expect((await asGuardian.get(timeline(w.pupil.id))).status).toBe(200);
    expect((await admin.delete(`/api/guardian-links/${guardian.id}/${w.pupil.id}`)).status).toBe(200);
    expect((await asGuardian.get(timeline(w.pupil.id))).status).toBe(404);

    const teacher = await makeUser(db, { role: 'teacher', schoolId: w.schoolA.id });
    await addMember(db, w.group.id, teacher.id, 'teacher');
    const asTeacher = await app.as(teacher.username);
    expect((await asTeacher.get(timeline(w.pupil.id))).status).toBe(200);
    expect((await admin.delete(`/api/groups/${w.group.id}/members/${teacher.id}`)).status).toBe(200);
    expect((await asTeacher.get(timeline(w.pupil.id))).status).toBe(404);
  });

  it("does not forget for a stranger's writes (a flood of them must not empty every process's cache)", async () => {
    const db = app.database.db;
    const guardian = await makeUser(db, { role: 'guardian', schoolId: w.schoolA.id });
    await linkGuardian(db, guardian.id, w.pupil.id);
    const asGuardian = await app.as(guardian.username);
    expect((await asGuardian.get(timeline(w.pupil.id))).status).toBe(200);
    // Changed beside Polku: only forgetting would show it before SESSION_CACHE_MS (a minute here).
    await db.deleteFrom('guardianLinks').where('guardianId', '=', guardian.id).execute();
    const stranger = app.client();
    expect((await stranger.post('/api/auth/login', { username: 'nobody', password: 'wrong password' })).status).toBe(401);
    const forged = new TestClient(app.url, { cookie: 'polku.sid=s%3Aforged.signature' });
    expect((await forged.post('/api/artefacts', { title: 'x' })).status).toBe(401);
    expect((await asGuardian.get(timeline(w.pupil.id))).status).toBe(200);
    // A signed-in user's write does forget.
    expect((await (await app.as(w.teacher.username)).post('/api/auth/logout')).status).toBe(200);
    expect((await asGuardian.get(timeline(w.pupil.id))).status).toBe(404);
  });

  it('counts a sign-out and a deactivation at the next request', async () => {
    const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
    await addMember(app.database.db, w.group.id, pupil.id, 'pupil');
    const first = await app.as(pupil.username);
    const copy = new TestClient(app.url, { cookie: first.cookieHeader });
    expect((await copy.get('/api/me')).status).toBe(200);
    expect((await first.post('/api/auth/logout')).status).toBe(200);
    expect((await copy.get('/api/me')).status).toBe(401);

    const second = await app.as(pupil.username);
    expect((await second.get(timeline(pupil.id))).status).toBe(200);
    const admin = await app.as(w.admin.username);
    expect((await admin.patch(`/api/users/${pupil.id}`, { active: false })).status).toBe(200);
    expect((await second.get(timeline(pupil.id))).status).toBe(401);
  });
});

describe('a read slides the session, as express-session did on every request', () => {
  it('renews the cookie and the stored expiry at most once a minute, with the cookie express-session writes', async () => {
    const app = await startTestApp({ env: { SESSION_MAX_AGE_HOURS: '2' } });
    try {
      const pupil = await makeUser(app.database.db, { role: 'pupil' });
      const client = await app.as(pupil.username);
      const sid = decodeURIComponent(client.cookieHeader).match(/polku\.sid=s:([^.]+)\./)?.[1] ?? '';
      const stored = () => app.database.db.selectFrom('sessions').select('expiresAt').where('sid', '=', sid).executeTakeFirstOrThrow();
      // As if the sign-in had been an hour ago.
      await app.database.db
        .updateTable('sessions')
        .set({ expiresAt: new Date(Date.now() + 3600_000) })
        .where('sid', '=', sid)
        .execute();

      const first = await client.get('/api/me');
      expect(first.status).toBe(200);
      const [cookie = ''] = first.headers.getSetCookie();
      expect(cookie).toMatch(/^polku\.sid=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
      const expires = new Date(/Expires=([^;]+)/.exec(cookie)?.[1] ?? 0).getTime();
      expect(Math.abs(expires - (Date.now() + 2 * 3600_000))).toBeLessThan(60_000);
      await vi.waitFor(async () => expect(Math.abs((await stored()).expiresAt.getTime() - expires)).toBeLessThan(60_000));
      // The renewed cookie is the same session.
      expect((await client.get('/api/me')).status).toBe(200);

      // Within the minute: no write, no cookie.
      const second = await client.get('/api/me');
      expect(second.status).toBe(200);
      expect(second.headers.getSetCookie()).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('the session cache, when the database is changed beside Polku', () => {
  it('counts a change within SESSION_CACHE_MS, and at once when the cache is off', async () => {
    for (const cacheMs of [0, 400]) {
      const app = await startTestApp({ env: { SESSION_CACHE_MS: String(cacheMs) } });
      try {
        const db = app.database.db;
        const school = await makeTwoSchools(db);
        const guardian = await makeUser(db, { role: 'guardian', schoolId: school.schoolA.id });
        await linkGuardian(db, guardian.id, school.pupil.id);
        const asGuardian = await app.as(guardian.username);
        expect((await asGuardian.get(timeline(school.pupil.id))).status).toBe(200);
        await db.deleteFrom('guardianLinks').where('guardianId', '=', guardian.id).execute();
        const changedAt = Date.now();
        if (cacheMs === 0) {
          expect((await asGuardian.get(timeline(school.pupil.id))).status).toBe(404);
          continue;
        }
        await vi.waitFor(async () => expect((await asGuardian.get(timeline(school.pupil.id))).status).toBe(404), { timeout: 5000, interval: 50 });
        // Generous for a busy machine, but a cache that never expired would fail it.
        expect(Date.now() - changedAt).toBeLessThan(cacheMs + 3000);
      } finally {
        await app.close();
      }
    }
  });
});

const onPostgres = testDatabaseKind === 'postgres';
describe('the session cache across server processes', () => {
  it.skipIf(!onPostgres)(
    `forgets on every server when one of them writes${onPostgres ? '' : ' (skipped: this run uses PGlite)'}`,
    async () => {
      const env = {
        REALTIME_ADAPTER: 'postgres',
        DATABASE_URL: inject('databaseUrl') ?? '',
        SESSION_SECRET: randomBytes(32).toString('hex'),
        PUBLIC_URL: `http://polku-${randomBytes(4).toString('hex')}.test`,
        SESSION_CACHE_MS: '60000',
      };
      const first = await startTestApp({ env });
      const second = await startTestApp({ env, database: first.database });
      try {
        const db = first.database.db;
        const school = await makeTwoSchools(db);
        const guardian = await makeUser(db, { role: 'guardian', schoolId: school.schoolA.id });
        await linkGuardian(db, guardian.id, school.pupil.id);
        // Signed in through the first server, read (and so cached) on the second.
        const onFirst = await first.as(guardian.username);
        const onSecond = new TestClient(second.url, { cookie: onFirst.cookieHeader });
        expect((await onSecond.get(timeline(school.pupil.id))).status).toBe(200);
        const admin = await first.as(school.admin.username);
        expect((await admin.delete(`/api/guardian-links/${guardian.id}/${school.pupil.id}`)).status).toBe(200);
        // The word travels through PostgreSQL: within a moment, not at the same instant.
        await vi.waitFor(async () => expect((await onSecond.get(timeline(school.pupil.id))).status).toBe(404), { timeout: 10_000, interval: 50 });
      } finally {
        await second.close();
        await first.close();
      }
    },
    60_000,
  );
});
