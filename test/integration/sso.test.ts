import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchool, makeUser } from '../helpers/factories.ts';
import { passThroughOp, startTestOp, type TestOp } from '../helpers/oidc-provider.ts';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { ssoDb } from '../../server/modules/sso/sso.repo.ts';

/**
 * School sign-in against a real OpenID Provider (oidc-provider) started here: every preset's claim shape,
 * every check that must refuse, and that no refusal leaves a session.
 */
const run = randomBytes(4).toString('hex');
const TENANT = `tenant-${run}`;
const DOMAIN = `koulu-${run}.example.fi`;
const CODE = `9${run.slice(0, 4)}`;
const acct = (name: string) => `${name}-${run}`;

const PROVIDERS = ['mpassid', 'entra', 'google', 'generic', 'other', 'slow', 'badkeys'] as const;
type ProviderId = (typeof PROVIDERS)[number];

let op: TestOp;
let app: TestApp;
let school: Awaited<ReturnType<typeof makeSchool>>;
let admin: Awaited<ReturnType<typeof makeUser>>;

function env(issuer: string): Record<string, string> {
  const e: Record<string, string> = { SSO_PROVIDERS: PROVIDERS.join(',') };
  for (const id of PROVIDERS) {
    const P = `SSO_${id.toUpperCase()}_`;
    e[`${P}ISSUER`] = issuer;
    e[`${P}CLIENT_ID`] = `polku-${id}`;
    e[`${P}CLIENT_SECRET`] = `secret-${id}-${run}`;
  }
  Object.assign(e, {
    SSO_MPASSID_PRESET: 'mpassid',
    SSO_ENTRA_PRESET: 'entra',
    SSO_ENTRA_ALLOWED_TENANTS: TENANT,
    SSO_ENTRA_GROUP_ROLES: 'g-teachers=teacher;g-pupils=pupil',
    SSO_GOOGLE_PRESET: 'google',
    SSO_GOOGLE_ALLOWED_DOMAINS: DOMAIN,
    SSO_GENERIC_GROUP_ROLES: 'staff=teacher',
    SSO_GENERIC_SCHOOL_CLAIM: 'school',
  });
  return e;
}

const accounts = (): Record<string, Record<string, unknown>> => ({
  [acct('mpass-pupil')]: {
    // MPASSid's own attribute names (released from userinfo): calling name before the official first name.
    'urn:oid:2.5.4.42': 'Aino Maria',
    'urn:mpass.id:nickname': 'Aino',
    'urn:oid:2.5.4.4': 'Oppilas',
    'urn:oid:1.3.6.1.4.1.16161.1.1.27': `1.2.246.562.24.${run}1`,
    'urn:mpass.id:role': [`1.2.246.562.10.1;${CODE};7B;Oppilas`],
  },
  [acct('mpass-teacher')]: {
    name: 'Olli Opettaja',
    email: 'olli@example.fi',
    email_verified: true,
    'urn:mpass.id:role': `1.2.246.562.10.1;${CODE};;Opettaja`,
  },
  [acct('mpass-principal')]: { name: 'Riitta Rehtori', 'urn:mpass.id:role': [`1.2.246.562.10.1;${CODE};;Rehtori`] },
  [acct('mpass-elsewhere')]: { name: 'Muu Koulu', 'urn:mpass.id:role': ['1.2.246.562.10.1;00000;5A;Oppilas'] },
  [acct('entra-teacher')]: { name: 'Eeva Entra', tid: TENANT, preferred_username: `eeva@${DOMAIN}`, groups: ['g-teachers'] },
  [acct('entra-stranger')]: { name: 'Vieras', tid: 'some-other-tenant', preferred_username: 'x@other.example', groups: ['g-teachers'] },
  [acct('google-pupil')]: { name: 'Kalle Google', hd: DOMAIN, email: `kalle@${DOMAIN}`, email_verified: true },
  [acct('google-other-domain')]: { name: 'Gmail User', hd: 'other.example', email: 'g@other.example', email_verified: true },
  [acct('google-unverified')]: { name: 'Unverified', hd: DOMAIN, email: `u@${DOMAIN}`, email_verified: false },
  [acct('generic-staff')]: { name: 'Generic Staff', preferred_username: `staff.${run}`, groups: ['staff'], school: CODE },
  [acct('generic-admin-group')]: { name: 'Would Be Admin', groups: ['admins', 'staff'], school: CODE },
  [acct('plain')]: { name: 'Plain Person' },
});

beforeAll(async () => {
  op = await startTestOp();
  app = await startTestApp({ env: env(op.issuer), loginLimits: { perAccount: 1000, perAddress: 1000, windowSeconds: 60 } });
  op.serve({
    accounts: accounts(),
    clients: PROVIDERS.map((id) => ({
      client_id: `polku-${id}`,
      client_secret: `secret-${id}-${run}`,
      redirect_uris: [`${app.url}/auth/sso/${id}/callback`],
      ...(id === 'slow' ? { codeTtl: 1 } : {}),
    })),
  });
  school = await makeSchool(app.database.db);
  await app.database.db.updateTable('schools').set({ code: CODE }).where('id', '=', school.id).execute();
  admin = await makeUser(app.database.db, { role: 'admin', schoolId: school.id });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await op?.close();
});

async function setModes(modes: Partial<Record<ProviderId, 'off' | 'rostered' | 'create'>>, passwordSignIn = true) {
  const client = await app.as(admin.username);
  const res = await client.put(`/api/schools/${school.id}/sign-in`, { passwordSignIn, providers: Object.entries(modes).map(([id, mode]) => ({ id, mode })) });
  expect(res.status).toBe(200);
}

/** Starts a sign-in in `browser` (a code rides in Polku's posted form), passes the provider's pages as `login`, and returns the callback path (not yet visited). */
async function throughProvider(browser: TestClient, provider: ProviderId, login: string, form?: Record<string, string>): Promise<string> {
  const start = form
    ? await browser.request('POST', `/auth/sso/${provider}/start`, new URLSearchParams(form).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'same-origin',
      })
    : await browser.get(`/auth/sso/${provider}/start`);
  expect(start.status).toBe(303);
  const back = await passThroughOp(start.headers.get('location') ?? '', login);
  const url = new URL(back);
  expect(url.origin).toBe(app.url);
  return url.pathname + url.search;
}

async function signIn(provider: ProviderId, login: string, form?: Record<string, string>) {
  const browser = app.client();
  const callback = await throughProvider(browser, provider, login, form);
  const res = await browser.get(callback);
  return { browser, res, callback, location: res.headers.get('location') };
}

async function sessionsOf(userId: string) {
  return (await app.database.db.selectFrom('sessions').select('sid').where('userId', '=', userId).execute()).length;
}

async function expectNoSession(browser: TestClient, location: string | null, code: string) {
  expect(location).toBe(`/sign-in?sso_error=${code}`);
  expect(browser.cookieHeader).not.toMatch(/polku\.sid=/);
  expect((await browser.get('/api/auth/session')).body).toEqual({ me: null });
}

const identityOf = async (sub: string) =>
  ssoDb(app.database.db).selectFrom('userIdentities').select('userId').where('issuer', '=', op.issuer).where('subject', '=', sub).executeTakeFirst();

describe('school sign-in through OpenID Connect', () => {
  it('lists the configured providers for the sign-in page', async () => {
    const res = await app.client().get<{ providers: Array<{ id: string; preset: string }> }>('/api/sso/providers');
    expect(res.status).toBe(200);
    expect(res.body.providers.map((p) => p.id)).toEqual([...PROVIDERS]);
  });

  it('MPASSid: creates a pupil at first sign-in in the school its role claim names, then signs the same identity in again', async () => {
    await setModes({ mpassid: 'create' });
    const first = await signIn('mpassid', acct('mpass-pupil'));
    expect(first.location).toBe('/');
    const me = await first.browser.get<{ user: { id: string; displayName: string }; roles: Array<{ schoolId: string; role: string }> }>('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user.displayName).toBe('Aino Oppilas');
    expect(me.body.roles).toEqual([{ schoolId: school.id, role: 'pupil' }]);
    const again = await signIn('mpassid', acct('mpass-pupil'));
    expect((await again.browser.get<{ user: { id: string } }>('/api/me')).body.user.id).toBe(me.body.user.id);
    const audit = await app.database.db.selectFrom('auditEvents').select(['action', 'details']).where('actorId', '=', me.body.user.id).execute();
    expect(audit.filter((a) => a.action === 'auth.login')).toHaveLength(2);
    expect(audit.some((a) => a.action === 'user.create')).toBe(true);
    // The national learner id became the account's roster key at the school.
    const key = await ssoDb(app.database.db).selectFrom('rosterKeys').selectAll().where('userId', '=', me.body.user.id).executeTakeFirst();
    expect(key).toMatchObject({ schoolId: school.id, kind: 'learner_id', value: `1.2.246.562.24.${run}1` });
  });

  it('MPASSid: a teacher role becomes a teacher; an unknown role (principal) and another school are refused, never an admin', async () => {
    await setModes({ mpassid: 'create' });
    const teacher = await signIn('mpassid', acct('mpass-teacher'));
    expect((await teacher.browser.get<{ roles: unknown[] }>('/api/me')).body.roles).toEqual([{ schoolId: school.id, role: 'teacher' }]);
    const principal = await signIn('mpassid', acct('mpass-principal'));
    await expectNoSession(principal.browser, principal.location, 'no_role');
    const elsewhere = await signIn('mpassid', acct('mpass-elsewhere'));
    await expectNoSession(elsewhere.browser, elsewhere.location, 'no_school');
    expect(await identityOf(acct('mpass-principal'))).toBeUndefined();
    expect(await identityOf(acct('mpass-elsewhere'))).toBeUndefined();
  });

  it('Entra ID: the tenant allow-list and the group → role mapping', async () => {
    await setModes({ entra: 'create' });
    const teacher = await signIn('entra', acct('entra-teacher'));
    expect(teacher.location).toBe('/');
    expect((await teacher.browser.get<{ roles: unknown[] }>('/api/me')).body.roles).toEqual([{ schoolId: school.id, role: 'teacher' }]);
    const stranger = await signIn('entra', acct('entra-stranger'));
    await expectNoSession(stranger.browser, stranger.location, 'not_allowed');
    expect(await identityOf(acct('entra-stranger'))).toBeUndefined();
  });

  it('Google Workspace: only allowed hosted domains with a verified e-mail; rostered-only matches the roster e-mail', async () => {
    await setModes({ google: 'rostered' });
    const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: school.id });
    // Nobody on the roster yet: refused.
    const early = await signIn('google', acct('google-pupil'));
    await expectNoSession(early.browser, early.location, 'unknown_user');
    await ssoDb(app.database.db)
      .insertInto('rosterKeys')
      .values({ schoolId: school.id, kind: 'email', value: `kalle@${DOMAIN}`, userId: pupil.id })
      .execute();
    const ok = await signIn('google', acct('google-pupil'));
    expect(ok.location).toBe('/');
    expect((await ok.browser.get<{ user: { id: string } }>('/api/me')).body.user.id).toBe(pupil.id);
    expect(await identityOf(acct('google-pupil'))).toEqual({ userId: pupil.id });
    const otherDomain = await signIn('google', acct('google-other-domain'));
    await expectNoSession(otherDomain.browser, otherDomain.location, 'not_allowed');
    const unverified = await signIn('google', acct('google-unverified'));
    await expectNoSession(unverified.browser, unverified.location, 'not_allowed');
  });

  it('generic OIDC: school from a configured claim, role from groups; an admin group gives nothing more than its mapping', async () => {
    await setModes({ generic: 'create' });
    const staff = await signIn('generic', acct('generic-staff'));
    expect((await staff.browser.get<{ roles: unknown[] }>('/api/me')).body.roles).toEqual([{ schoolId: school.id, role: 'teacher' }]);
    const wouldBeAdmin = await signIn('generic', acct('generic-admin-group'));
    expect((await wouldBeAdmin.browser.get<{ roles: unknown[] }>('/api/me')).body.roles).toEqual([{ schoolId: school.id, role: 'teacher' }]);
    const plain = await signIn('generic', acct('plain'));
    await expectNoSession(plain.browser, plain.location, 'no_role');
  });

  it('links a rostered account with a one-time code from the admin; the code works once', async () => {
    await setModes({ generic: 'rostered' });
    const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: school.id });
    const adminClient = await app.as(admin.username);
    const code = await adminClient.post<{ code: string }>(`/api/users/${pupil.id}/sso-link-codes`, { schoolId: school.id });
    expect(code.status).toBe(201);
    const sub = acct('plain');
    const linked = await signIn('generic', sub, { link: code.body.code.toLowerCase() });
    expect(linked.location).toBe('/');
    expect((await linked.browser.get<{ user: { id: string } }>('/api/me')).body.user.id).toBe(pupil.id);
    expect(await identityOf(sub)).toEqual({ userId: pupil.id });
    // Spent: a second person cannot use it.
    const again = await signIn('generic', acct('entra-stranger'), { link: code.body.code });
    await expectNoSession(again.browser, again.location, 'unknown_user');
    // No link code for an admin, and never an admin through a provider.
    expect((await adminClient.post(`/api/users/${admin.id}/sso-link-codes`, { schoolId: school.id })).status).toBe(400);
  });

  it('refuses a linked admin, a linked account of a school that switched the provider off, and a deactivated account', async () => {
    await setModes({ generic: 'rostered' });
    const otherAdmin = await makeUser(app.database.db, { role: 'admin', schoolId: school.id });
    await ssoDb(app.database.db)
      .insertInto('userIdentities')
      .values({ issuer: op.issuer, subject: acct('mpass-elsewhere'), userId: otherAdmin.id })
      .execute();
    const asAdmin = await signIn('generic', acct('mpass-elsewhere'));
    await expectNoSession(asAdmin.browser, asAdmin.location, 'admin');
    expect(await sessionsOf(otherAdmin.id)).toBe(0);
    await setModes({ generic: 'off' });
    const off = await signIn('generic', acct('plain'));
    await expectNoSession(off.browser, off.location, 'not_enabled');
    await setModes({ generic: 'rostered' });
    const linkedPupil = (await identityOf(acct('plain')))?.userId ?? '';
    await app.database.db.updateTable('users').set({ active: false }).where('id', '=', linkedPupil).execute();
    const inactive = await signIn('generic', acct('plain'));
    await expectNoSession(inactive.browser, inactive.location, 'unknown_user');
  });

  describe('refusals leave no session', () => {
    it('wrong state, and a state started in another browser', async () => {
      await setModes({ generic: 'create' });
      const browser = app.client();
      const callback = await throughProvider(browser, 'generic', acct('generic-staff'));
      const forged = callback.replace(/state=[^&]+/, 'state=forged');
      await expectNoSession(browser, (await browser.get(forged)).headers.get('location'), 'failed');
      // The right answer, delivered to a browser that did not start the sign-in (login CSRF).
      const victim = app.client();
      await expectNoSession(victim, (await victim.get(callback)).headers.get('location'), 'failed');
    });

    it('a replayed answer (state and code used once)', async () => {
      await setModes({ generic: 'create' });
      const { browser, callback, location } = await signIn('generic', acct('generic-staff'));
      expect(location).toBe('/');
      const thief = app.client();
      const stolen = await thief.get(callback);
      await expectNoSession(thief, stolen.headers.get('location'), 'failed');
      const replay = await browser.get(callback);
      expect(replay.headers.get('location')).toBe('/sign-in?sso_error=failed');
    });

    it('a code redeemed by the wrong client (wrong audience)', async () => {
      await setModes({ generic: 'create', other: 'create' });
      const browser = app.client();
      const callback = new URL(await throughProvider(browser, 'generic', acct('generic-staff')), app.url);
      // Begin a sign-in with the other client in the same browser, then hand it the first client's code.
      const otherStart = await browser.get('/auth/sso/other/start');
      const otherState = new URL(otherStart.headers.get('location') ?? '').searchParams.get('state') ?? '';
      const mixed = `/auth/sso/other/callback?code=${callback.searchParams.get('code')}&state=${otherState}&iss=${encodeURIComponent(op.issuer)}`;
      await expectNoSession(browser, (await browser.get(mixed)).headers.get('location'), 'failed');
    });

    it('a wrong issuer in the answer', async () => {
      await setModes({ generic: 'create' });
      const browser = app.client();
      const callback = await throughProvider(browser, 'generic', acct('generic-staff'));
      const wrong = callback.replace(/iss=[^&]+/, `iss=${encodeURIComponent('https://evil.example')}`);
      expect(wrong).not.toBe(callback);
      await expectNoSession(browser, (await browser.get(wrong)).headers.get('location'), 'failed');
    });

    it('a wrong nonce', async () => {
      await setModes({ generic: 'create' });
      const browser = app.client();
      const callback = await throughProvider(browser, 'generic', acct('generic-staff'));
      await ssoDb(app.database.db).updateTable('ssoLogins').set({ nonce: 'not-the-nonce-sent' }).where('provider', '=', 'generic').execute();
      await expectNoSession(browser, (await browser.get(callback)).headers.get('location'), 'failed');
    });

    it('an expired code', async () => {
      await setModes({ slow: 'create' });
      const browser = app.client();
      const callback = await throughProvider(browser, 'slow', acct('generic-staff'));
      // The provider gives this client's codes one second.
      await new Promise((resolve) => setTimeout(resolve, 2100));
      await expectNoSession(browser, (await browser.get(callback)).headers.get('location'), 'failed');
    });

    it('an expired sign-in (our own state)', async () => {
      await setModes({ generic: 'create' });
      const browser = app.client();
      const callback = await throughProvider(browser, 'generic', acct('generic-staff'));
      await ssoDb(app.database.db)
        .updateTable('ssoLogins')
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where('provider', '=', 'generic')
        .execute();
      await expectNoSession(browser, (await browser.get(callback)).headers.get('location'), 'failed');
    });

    it('an ID token signed with a key the provider does not publish', async () => {
      await setModes({ badkeys: 'create' });
      const browser = app.client();
      const callback = await throughProvider(browser, 'badkeys', acct('generic-staff'));
      op.useForeignKeys(true);
      try {
        await expectNoSession(browser, (await browser.get(callback)).headers.get('location'), 'failed');
      } finally {
        op.useForeignKeys(false);
      }
    });
  });

  it('counts failed provider answers toward the sign-in limits', async () => {
    const limited = await startTestApp({ env: env(op.issuer), database: app.database, loginLimits: { perAccount: 2, perAddress: 1000, windowSeconds: 60 } });
    try {
      const browser = limited.client();
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push((await browser.get(`/auth/sso/generic/callback?code=x&state=forged-${i}`)).headers.get('location'));
      expect(answers).toEqual(['/sign-in?sso_error=failed', '/sign-in?sso_error=failed', '/sign-in?sso_error=rate_limited']);
    } finally {
      await limited.close();
    }
  });

  it('password sign-in can be turned off per school (admins and guardians keep theirs), and back on', async () => {
    const teacher = await makeUser(app.database.db, { role: 'teacher', schoolId: school.id });
    const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: school.id });
    const guardian = await makeUser(app.database.db, { role: 'guardian', schoolId: school.id });
    const pupilSession = await app.as(pupil.username);
    await setModes({}, false);
    expect((await app.client().post('/api/auth/login', { username: teacher.username, password: TEST_PASSWORD })).status).toBe(401);
    const refused = await app.client().post('/api/auth/login', { username: pupil.username, password: TEST_PASSWORD });
    // The same answer as a wrong password: it does not tell that the account exists.
    expect(refused.body).toEqual((await app.client().post('/api/auth/login', { username: pupil.username, password: 'wrong' })).body);
    expect((await app.client().post('/api/auth/login', { username: admin.username, password: TEST_PASSWORD })).status).toBe(200);
    expect((await app.client().post('/api/auth/login', { username: guardian.username, password: TEST_PASSWORD })).status).toBe(200);
    // A session that already exists is not ended by the switch (it ends by itself or by the admin).
    expect((await pupilSession.get('/api/me')).status).toBe(200);
    const settings = await (await app.as(admin.username)).get<{ passwordSignIn: boolean }>(`/api/schools/${school.id}/sign-in`);
    expect(settings.body.passwordSignIn).toBe(false);
    await setModes({}, true);
    expect((await app.client().post('/api/auth/login', { username: teacher.username, password: TEST_PASSWORD })).status).toBe(200);
  });

  it('signing out ends the Polku session and offers the provider sign-out', async () => {
    await setModes({ generic: 'create' });
    const { browser } = await signIn('generic', acct('generic-staff'));
    const out = await browser.post<{ providerLogout: { url: string; label: string } | null }>('/api/sso/logout');
    expect(out.status).toBe(200);
    expect(out.body.providerLogout?.url).toMatch(new RegExp(`^${op.issuer}/session/end\\?`));
    expect((await browser.get('/api/me')).status).toBe(401);
  });
});
