import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvitationLetters } from '../../shared/api/invitations.ts';
import { DEFAULT_ATTEMPT_LIMITS } from '../../server/modules/invitations/attempt-limiter.ts';
import { ssoDb } from '../../server/modules/sso/sso.repo.ts';
import { makeSchool, makeUser } from '../helpers/factories.ts';
import { passThroughOp, startTestOp, type TestOp } from '../helpers/oidc-provider.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

/**
 * Issue 11 §4: a guardian accepts invitations with their own Google or Microsoft account, against a real
 * OpenID Provider. The schools here switch no provider on: guardians are in no school's directory.
 */
const run = randomBytes(4).toString('hex');
const DOMAIN = `koulu-${run}.example.fi`;
const acct = (name: string) => `${name}-${run}`;
const PROVIDERS = ['google', 'entra'] as const;
type ProviderId = (typeof PROVIDERS)[number];

function env(issuer: string): Record<string, string> {
  const e: Record<string, string> = { SSO_PROVIDERS: PROVIDERS.join(',') };
  for (const id of PROVIDERS) {
    const P = `SSO_${id.toUpperCase()}_`;
    e[`${P}ISSUER`] = issuer;
    e[`${P}CLIENT_ID`] = `polku-${id}`;
    e[`${P}CLIENT_SECRET`] = `secret-${id}-${run}`;
  }
  // The schools' own organisations: a guardian's personal account is in neither.
  Object.assign(e, { SSO_GOOGLE_PRESET: 'google', SSO_GOOGLE_ALLOWED_DOMAINS: DOMAIN, SSO_ENTRA_PRESET: 'entra', SSO_ENTRA_ALLOWED_TENANTS: `t-${run}` });
  return e;
}

const accounts: Record<string, Record<string, unknown>> = {
  [acct('hanna')]: { name: 'Hanna Huoltaja', email: `hanna.${run}@gmail.example`, email_verified: true },
  [acct('unverified')]: { name: 'Ulla Unverified', email: `ulla.${run}@example.com`, email_verified: false },
  [acct('late')]: { name: 'Late Guardian', email: `late.${run}@example.com`, email_verified: true },
  [acct('pupil')]: { name: 'Pupil Identity', hd: DOMAIN, email: `pupil@${DOMAIN}`, email_verified: true },
  [acct('teacher')]: { name: 'Teacher Identity', tid: `t-${run}` },
};

let op: TestOp;
let app: TestApp;
let school: Awaited<ReturnType<typeof makeSchool>>;
let admin: Awaited<ReturnType<typeof makeUser>>;
let adminClient: TestClient;

beforeAll(async () => {
  op = await startTestOp();
  app = await startTestApp({ env: env(op.issuer), loginLimits: { perAccount: 1000, perAddress: 1000, windowSeconds: 60 } });
  op.serve({
    accounts,
    clients: PROVIDERS.map((id) => ({ client_id: `polku-${id}`, client_secret: `secret-${id}-${run}`, redirect_uris: [`${app.url}/auth/sso/${id}/callback`] })),
  });
  school = await makeSchool(app.database.db);
  admin = await makeUser(app.database.db, { role: 'admin', schoolId: school.id });
  adminClient = await app.as(admin.username);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await op?.close();
});

async function invite(pupilId: string) {
  const res = await adminClient.post<InvitationLetters>('/api/guardian-invitations', { pupilId });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.invitations[0]!.id, code: res.body.letters[0]!.code };
}

const pupil = (name = 'Aino') => makeUser(app.database.db, { role: 'pupil', schoolId: school.id, displayName: `${name} ${run}` });

/** Polku's accept page posts the code to the start; the browser passes the provider as `login` and returns. */
async function acceptThroughProvider(login: string, code: string, provider: ProviderId = 'google', browser = app.client()) {
  const start = await browser.request('POST', `/auth/sso/${provider}/start`, new URLSearchParams({ invitation: code }).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    'sec-fetch-site': 'same-origin',
  });
  expect(start.status).toBe(303);
  const toProvider = start.headers.get('location') ?? '';
  // The code never travels in an address (the provider's logs, the browser's history).
  expect(toProvider.toUpperCase()).not.toContain(code.replace(/-/g, '').slice(0, 8));
  expect(toProvider).not.toContain(code);
  const back = new URL(await passThroughOp(toProvider, login));
  const res = await browser.get(back.pathname + back.search);
  return { browser, location: res.headers.get('location'), callback: back.pathname + back.search };
}

const identityOf = async (sub: string) =>
  ssoDb(app.database.db).selectFrom('userIdentities').select('userId').where('issuer', '=', op.issuer).where('subject', '=', sub).executeTakeFirst();
const linksOf = async (guardianId: string) =>
  (await app.database.db.selectFrom('guardianLinks').select('pupilId').where('guardianId', '=', guardianId).execute()).map((l) => l.pupilId).sort();
const invitation = (id: string) => app.database.db.selectFrom('guardianInvitations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function expectNoSession(browser: TestClient) {
  expect(browser.cookieHeader).not.toMatch(/polku\.sid=/);
  expect((await browser.get('/api/auth/session')).body).toEqual({ me: null });
}

describe('accepting a guardian invitation with a provider account', () => {
  it('creates a guardian account (no password, the verified e-mail) linked to the identity and the child, and signs in', async () => {
    const child = await pupil();
    const inv = await invite(child.id);
    const { browser, location } = await acceptThroughProvider(acct('hanna'), inv.code);
    expect(location).toBe('/guardian');
    const me = await browser.get<{ user: { id: string; displayName: string } }>('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user.displayName).toBe('Hanna Huoltaja');
    const guardianId = me.body.user.id;
    expect((await identityOf(acct('hanna')))?.userId).toBe(guardianId);
    const user = await app.database.db.selectFrom('users').select(['passwordHash', 'email']).where('id', '=', guardianId).executeTakeFirstOrThrow();
    expect(user).toEqual({ passwordHash: null, email: `hanna.${run}@gmail.example` });
    const roles = await app.database.db.selectFrom('schoolRoles').select(['schoolId', 'role']).where('userId', '=', guardianId).execute();
    expect(roles).toEqual([{ schoolId: school.id, role: 'guardian' }]);
    expect(await linksOf(guardianId)).toEqual([child.id]);
    expect(await invitation(inv.id)).toMatchObject({ acceptedBy: guardianId });
    // Audited as the password acceptance is, and the identity's link.
    const audit = await app.database.db.selectFrom('auditEvents').select(['action', 'details']).where('actorId', '=', guardianId).execute();
    const actions = audit.map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['guardianInvitation.accept', 'sso.link', 'auth.login']));
    const accepted = audit.find((a) => a.action === 'guardianInvitation.accept')?.details as Record<string, unknown>;
    expect(accepted).toMatchObject({ newAccount: true, via: 'sso', schoolId: school.id });
    // The guardian sees the child.
    const children = await browser.get<{ children: Array<{ id: string }> }>('/api/me/children');
    expect(children.body.children.map((c) => c.id)).toEqual([child.id]);
  });

  it('accepts a second and a third child into the same account; later the identity signs in though no school uses the provider', async () => {
    const first = await pupil('Eetu');
    const second = await pupil('Sanni');
    const third = await pupil('Veeti');
    const one = await acceptThroughProvider(acct('late'), (await invite(first.id)).code);
    expect(one.location).toBe('/guardian');
    const guardianId = (await identityOf(acct('late')))?.userId ?? '';
    for (const child of [second, third]) {
      const next = await acceptThroughProvider(acct('late'), (await invite(child.id)).code);
      expect(next.location).toBe('/guardian');
      expect((await next.browser.get<{ user: { id: string } }>('/api/me')).body.user.id).toBe(guardianId);
    }
    expect(await linksOf(guardianId)).toEqual([first.id, second.id, third.id].sort());
    expect(await ssoDb(app.database.db).selectFrom('userIdentities').select('userId').where('subject', '=', acct('late')).execute()).toHaveLength(1);
    const modes = await ssoDb(app.database.db).selectFrom('ssoSchoolProviders').selectAll().where('schoolId', '=', school.id).execute();
    expect(modes).toEqual([]);

    // A plain sign-in with the same provider account.
    const browser = app.client();
    const start = await browser.get('/auth/sso/google/start');
    const back = new URL(await passThroughOp(start.headers.get('location') ?? '', acct('late')));
    const res = await browser.get(back.pathname + back.search);
    expect(res.headers.get('location')).toBe('/');
    expect((await browser.get<{ user: { id: string } }>('/api/me')).body.user.id).toBe(guardianId);
  });

  it('keeps an e-mail the provider does not vouch for out of the account', async () => {
    const child = await pupil('Onni');
    const { browser, location } = await acceptThroughProvider(acct('unverified'), (await invite(child.id)).code, 'entra');
    expect(location).toBe('/guardian');
    const me = await browser.get<{ user: { id: string } }>('/api/me');
    const user = await app.database.db.selectFrom('users').select('email').where('id', '=', me.body.user.id).executeTakeFirstOrThrow();
    expect(user.email).toBeNull();
  });

  it('refuses a used, expired or withdrawn invitation, a replayed answer and a wrong code: no session, no account, no link', async () => {
    const child = await pupil('Ilmari');
    const used = await invite(child.id);
    expect((await acceptThroughProvider(acct('hanna'), used.code)).location).toBe('/guardian');
    const expired = await invite((await pupil('Kerttu')).id);
    await app.database.db
      .updateTable('guardianInvitations')
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where('id', '=', expired.id)
      .execute();
    const withdrawn = await invite((await pupil('Lauri')).id);
    expect((await adminClient.delete(`/api/guardian-invitations/${withdrawn.id}`)).status).toBe(200);

    const stranger = acct('stranger');
    accounts[stranger] = { name: `Stranger ${run}`, email: `s.${run}@example.com`, email_verified: true };
    for (const [code, why] of [
      [used.code, 'invitation_used'],
      [expired.code, 'invitation_expired'],
      [withdrawn.code, 'invitation_used'],
      ['ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ', 'invitation_invalid'],
    ] as const) {
      const attempt = await acceptThroughProvider(stranger, code);
      expect(attempt.location, why).toBe(`/invitation?sso_error=${why}`);
      await expectNoSession(attempt.browser);
    }
    expect(await identityOf(stranger)).toBeUndefined();
    expect(await app.database.db.selectFrom('users').select('id').where('displayName', '=', `Stranger ${run}`).execute()).toEqual([]);
    expect(await invitation(expired.id)).toMatchObject({ acceptedAt: null });
    expect(await invitation(withdrawn.id)).toMatchObject({ acceptedAt: null });

    // The provider's answer replayed: the sign-in was used up, nothing happens.
    const fresh = await invite((await pupil('Minna')).id);
    const browser = app.client();
    const first = await acceptThroughProvider(acct('hanna'), fresh.code, 'google', browser);
    expect(first.location).toBe('/guardian');
    const replay = app.client();
    const again = await replay.get(first.callback);
    expect(again.headers.get('location')).toBe('/sign-in?sso_error=failed');
    await expectNoSession(replay);
  });

  it("never links an invitation to a pupil's or a teacher's identity: a clear refusal, the invitation still open", async () => {
    const child = await pupil('Pekka');
    const inv = await invite(child.id);
    const pupilAccount = await pupil('Oma');
    const teacher = await makeUser(app.database.db, { role: 'teacher', schoolId: school.id });
    const sdb = ssoDb(app.database.db);
    await sdb
      .insertInto('userIdentities')
      .values({ issuer: op.issuer, subject: acct('pupil'), userId: pupilAccount.id, lastUsedAt: null })
      .execute();
    await sdb
      .insertInto('userIdentities')
      .values({ issuer: op.issuer, subject: acct('teacher'), userId: teacher.id, lastUsedAt: null })
      .execute();
    for (const [login, provider] of [
      [acct('pupil'), 'google'],
      [acct('teacher'), 'entra'],
    ] as const) {
      const attempt = await acceptThroughProvider(login, inv.code, provider);
      expect(attempt.location).toBe('/invitation?sso_error=not_guardian');
      await expectNoSession(attempt.browser);
    }
    expect(await invitation(inv.id)).toMatchObject({ acceptedAt: null, acceptedBy: null });
    expect(await linksOf(pupilAccount.id)).toEqual([]);
    expect(await linksOf(teacher.id)).toEqual([]);
    const roles = await app.database.db.selectFrom('schoolRoles').select('role').where('userId', 'in', [pupilAccount.id, teacher.id]).execute();
    expect(roles.map((r) => r.role).sort()).toEqual(['pupil', 'teacher']);
  });

  it("signs in past the schools' modes only an identity an invitation linked: a guardian linked otherwise goes through them", async () => {
    const guardian = await makeUser(app.database.db, { role: 'guardian', schoolId: school.id });
    const sub = acct('other-guardian');
    accounts[sub] = { name: 'Linked Otherwise' };
    await ssoDb(app.database.db).insertInto('userIdentities').values({ issuer: op.issuer, subject: sub, userId: guardian.id, lastUsedAt: null }).execute();
    const browser = app.client();
    const start = await browser.get('/auth/sso/google/start');
    const back = new URL(await passThroughOp(start.headers.get('location') ?? '', sub));
    const res = await browser.get(back.pathname + back.search);
    expect(res.headers.get('location')).toMatch(/^\/sign-in\?sso_error=/);
    await expectNoSession(browser);
  });

  it('takes codes only in a posted form: a code in the address is refused before anything is written', async () => {
    const inv = await invite((await pupil('Riku')).id);
    const browser = app.client();
    const res = await browser.get(`/auth/sso/google/start?invitation=${inv.code}`);
    expect(res.headers.get('location')).toBe('/sign-in?sso_error=failed');
    // No sign-in began (its row and the browser's binding cookie are written together).
    expect(browser.cookieHeader).not.toContain('polku.sso=');
    // Another site cannot post one either.
    const cross = await app.client().request('POST', '/auth/sso/google/start', `invitation=${inv.code}`, {
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'cross-site',
    });
    expect(cross.headers.get('location')).toBe('/sign-in?sso_error=failed');
  });
});

describe('sign-in upkeep', () => {
  it('sweeps sign-ins never finished and link codes past their expiry, hourly', async () => {
    const sdb = ssoDb(app.database.db);
    const pupilAccount = await pupil('Sweep');
    const hash = () => randomBytes(32).toString('hex');
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3600_000);
    const login = (expiresAt: Date) => ({
      stateHash: hash(),
      browserHash: hash(),
      provider: 'google',
      codeVerifier: 'v',
      nonce: 'n',
      linkCodeHash: null,
      invitationCodeHash: null,
      expiresAt,
    });
    const code = (expiresAt: Date) => ({ codeHash: hash(), schoolId: school.id, userId: pupilAccount.id, createdBy: null, expiresAt });
    const [oldLogin, newLogin] = [login(past), login(future)];
    const [oldCode, newCode] = [code(past), code(future)];
    await sdb.insertInto('ssoLogins').values([oldLogin, newLogin]).execute();
    await sdb.insertInto('ssoLinkCodes').values([oldCode, newCode]).execute();
    expect(await app.polku.maintenance.sweepSignIns()).toBeGreaterThanOrEqual(2);
    const logins = (await sdb.selectFrom('ssoLogins').select('stateHash').where('stateHash', 'in', [oldLogin.stateHash, newLogin.stateHash]).execute()).map(
      (r) => r.stateHash,
    );
    const codes = (await sdb.selectFrom('ssoLinkCodes').select('codeHash').where('codeHash', 'in', [oldCode.codeHash, newCode.codeHash]).execute()).map(
      (r) => r.codeHash,
    );
    expect(logins).toEqual([newLogin.stateHash]);
    expect(codes).toEqual([newCode.codeHash]);
  });
});

describe('starting provider sign-ins', () => {
  let limited: TestApp;
  beforeAll(async () => {
    // A window nobody else uses, so counts from other files never meet these.
    const window = 5000 + randomInt(1000);
    limited = await startTestApp({ env: env(op.issuer), attemptLimits: { ...DEFAULT_ATTEMPT_LIMITS, ssoStart: { points: 3, windowSeconds: window } } });
  }, 60_000);
  afterAll(async () => {
    await limited?.close();
  });

  it('is rate limited per address: beyond the limit no sign-in begins and the sign-in page says so', async () => {
    for (let i = 0; i < 3; i++) expect((await limited.client().get('/auth/sso/google/start')).headers.get('location')).toContain(op.issuer);
    const browser = limited.client();
    const refused = await browser.get('/auth/sso/google/start');
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe('/sign-in?sso_error=rate_limited');
    // No sign-in began (its row and the browser's binding cookie are written together).
    expect(browser.cookieHeader).not.toContain('polku.sso=');
  });
});
