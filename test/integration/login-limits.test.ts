import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app.ts';
import { testDatabaseKind } from '../helpers/test-db.ts';

/** Failed sign-ins: counted before the password check, shared between processes, per account+address. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ loginLimits: { perAccount: 10, perAddress: 1000, windowSeconds: 600 } });
});
afterAll(async () => app?.close());

const tryLogin = (target: TestApp, username: string, password: string) => target.client().post('/api/auth/login', { username, password });

describe('sign-in limits', () => {
  it('200 parallel wrong passwords: all but the allowed few get 429', { timeout: 120_000 }, async () => {
    const pupil = await makeUser(app.database.db, { role: 'pupil' });
    const statuses = await Promise.all(Array.from({ length: 200 }, () => tryLogin(app, pupil.username, 'wrong guess').then((r) => r.status)));
    const count = (s: number) => statuses.filter((x) => x === s).length;
    expect(count(401)).toBe(10);
    expect(count(429)).toBe(190);
    // The right password is refused too while the account is limited from this address.
    expect((await tryLogin(app, pupil.username, TEST_PASSWORD)).status).toBe(429);
  });

  it('one pupil typing wrong does not lock out the school behind the same address', { timeout: 120_000 }, async () => {
    const school = await startTestApp({ database: app.database, loginLimits: { perAccount: 3, perAddress: 20, windowSeconds: 600 } });
    try {
      const { id: schoolId } = await makeSchool(app.database.db);
      const typist = await makeUser(app.database.db, { role: 'pupil', schoolId });
      const typos = [];
      for (let i = 0; i < 5; i++) typos.push((await tryLogin(school, typist.username, `typo ${i}`)).status);
      expect(typos).toEqual([401, 401, 401, 429, 429]);
      // Thirty classmates from the same address: a typo or two each, then the right password.
      const classmates = await Promise.all(Array.from({ length: 30 }, () => makeUser(app.database.db, { role: 'pupil', schoolId })));
      for (const [i, classmate] of classmates.entries()) {
        if (i % 3 === 0) expect((await tryLogin(school, classmate.username, 'oops')).status).toBe(401);
        expect((await tryLogin(school, classmate.username, TEST_PASSWORD)).status).toBe(200);
      }
    } finally {
      await school.close();
    }
  });

  it('takes the address from X-Forwarded-For only through the proxies TRUST_PROXY names', { timeout: 60_000 }, async () => {
    const limits = { perAccount: 100, perAddress: 2, windowSeconds: 600 };
    const direct = await startTestApp({ database: app.database, loginLimits: limits });
    const proxied = await startTestApp({ database: app.database, loginLimits: limits, env: { TRUST_PROXY: 'loopback' } });
    try {
      const from = (target: TestApp, address: string) =>
        target.client().request('POST', '/api/auth/login', { username: 'nobody', password: 'x' }, { 'x-forwarded-for': address });
      // Without a trusted proxy a forged header changes nothing: all three tries are 127.0.0.1's.
      expect([(await from(direct, '10.0.0.1')).status, (await from(direct, '10.0.0.2')).status, (await from(direct, '10.0.0.3')).status]).toEqual([
        401, 401, 429,
      ]);
      // Behind a trusted proxy each client has its own address.
      expect([(await from(proxied, '10.1.0.1')).status, (await from(proxied, '10.1.0.2')).status, (await from(proxied, '10.1.0.3')).status]).toEqual([
        401, 401, 401,
      ]);
    } finally {
      await direct.close();
      await proxied.close();
    }
  });

  it('counts an IPv6 client by its /64 network, and an IPv4-mapped address as the IPv4 address', { timeout: 60_000 }, async () => {
    const limits = { perAccount: 100, perAddress: 2, windowSeconds: 600 };
    const proxied = await startTestApp({ database: app.database, loginLimits: limits, env: { TRUST_PROXY: 'loopback' } });
    try {
      const from = (address: string) =>
        proxied.client().request('POST', '/api/auth/login', { username: 'nobody', password: 'x' }, { 'x-forwarded-for': address });
      // Three addresses of one /64 (as a phone or a home gets): one budget, so the third try is refused.
      expect([(await from('2001:db8:1:2::1')).status, (await from('2001:db8:1:2:ffff::9')).status, (await from('2001:0db8:0001:0002:abcd::1')).status]).toEqual(
        [401, 401, 429],
      );
      // Another /64 has its own budget.
      expect((await from('2001:db8:1:3::1')).status).toBe(401);
      // The same IPv4 client, written two ways: one budget.
      expect([(await from('192.0.2.7')).status, (await from('::ffff:192.0.2.7')).status, (await from('192.0.2.7')).status]).toEqual([401, 401, 429]);
    } finally {
      await proxied.close();
    }
  });

  it('records the sign-in in the audit log', async () => {
    const teacher = await makeUser(app.database.db, { role: 'teacher' });
    expect((await tryLogin(app, teacher.username, TEST_PASSWORD)).status).toBe(200);
    const events = await app.database.db.selectFrom('auditEvents').select(['action', 'ip']).where('actorId', '=', teacher.id).execute();
    expect(events).toEqual([{ action: 'auth.login', ip: expect.stringMatching(/127\.0\.0\.1/) }]);
  });

  it.runIf(testDatabaseKind === 'postgres')('two server processes share the count (PostgreSQL)', { timeout: 60_000 }, async () => {
    const limits = { perAccount: 5, perAddress: 1000, windowSeconds: 600 };
    const one = await startTestApp({ database: app.database, loginLimits: limits });
    const two = await startTestApp({ database: app.database, loginLimits: limits });
    try {
      const pupil = await makeUser(app.database.db, { role: 'pupil' });
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await tryLogin(i % 2 === 0 ? one : two, pupil.username, 'guess')).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      expect((await tryLogin(one, pupil.username, 'guess')).status).toBe(429);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
