import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOp, type TestOp } from '../helpers/oidc-provider.ts';
import { axeViolations } from './support/axe.ts';
import { startServer, type RunningServer } from './support/polku-server.ts';
import { CHROMIUM_ARGS, PASSWORD } from './support/session.ts';
import { expectH1, texts } from './support/ui.ts';

/**
 * A pupil signs in through a real OpenID Provider's own login page (oidc-provider's development pages),
 * in Chromium: the sign-in page shows the school's provider, the pupil types the link code the school's
 * admin made, passes the provider's login and consent, and lands in Polku as themselves.
 */
let op: TestOp;
let server: RunningServer;
let browser: Browser;
const fi = texts.fi;

beforeAll(async () => {
  op = await startTestOp();
  server = await startServer({
    SSO_PROVIDERS: 'koulu',
    SSO_KOULU_ISSUER: op.issuer,
    SSO_KOULU_CLIENT_ID: 'polku-e2e',
    SSO_KOULU_CLIENT_SECRET: 'e2e-secret',
    SSO_KOULU_LABEL: 'Koulun tunnus',
  });
  op.serve({
    accounts: { 'aino.sso': { name: 'Aino Mäkinen', preferred_username: 'aino.sso' }, stranger: { name: 'Stranger' } },
    clients: [{ client_id: 'polku-e2e', client_secret: 'e2e-secret', redirect_uris: [`${server.url}/auth/sso/koulu/callback`] }],
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await op?.close();
});

/** The demo admin, through the API: the school's sign-in mode and a link code for the demo pupil. */
async function prepareSchool(): Promise<string> {
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'demo.admin', password: PASSWORD }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const me = (await login.json()) as { roles: Array<{ schoolId: string; role: string }> };
  const schoolId = me.roles.find((r) => r.role === 'admin')?.schoolId ?? '';
  const headers = { 'content-type': 'application/json', cookie };
  const { users } = (await (await fetch(`${server.url}/api/schools/${schoolId}/users`, { headers })).json()) as {
    users: Array<{ id: string; username: string }>;
  };
  const pupil = users.find((u) => u.username === 'demo.pupil');
  const put = await fetch(`${server.url}/api/schools/${schoolId}/sign-in`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ passwordSignIn: true, providers: [{ id: 'koulu', mode: 'rostered' }] }),
  });
  expect(put.status).toBe(200);
  const code = await fetch(`${server.url}/api/users/${pupil?.id ?? ''}/sso-link-codes`, { method: 'POST', headers, body: JSON.stringify({ schoolId }) });
  expect(code.status).toBe(201);
  return ((await code.json()) as { code: string }).code;
}

describe('school sign-in in the browser', () => {
  it('signs a pupil in through the provider’s real login page', async () => {
    const code = await prepareSchool();
    const context = await browser.newContext({ baseURL: server.url, locale: 'fi-FI' });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await expectH1(page, fi.auth.heading);
    const button = page.getByRole('button', { name: 'Kirjaudu: Koulun tunnus' });
    await button.waitFor();
    expect(await axeViolations(page, 'sign-in with providers')).toEqual([]);
    await page.getByRole('button', { name: fi.sso.haveLinkCode }).click();
    await page.getByLabel(fi.sso.linkCode).fill(code);
    await button.click();

    // The provider's own pages: its login form, then its consent.
    await page.waitForURL((url) => url.origin === op.issuer);
    await page.locator('input[name="login"]').fill('aino.sso');
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').waitFor();
    await page.locator('button[type="submit"]').click();

    await page.waitForURL((url) => url.origin === server.url && !url.pathname.startsWith('/sign-in'), { timeout: 30_000 });
    const session = await page.evaluate(async () => (await fetch('/api/auth/session')).json());
    expect(session).toMatchObject({ me: { user: { username: 'demo.pupil' } } });
    await context.close();
  });

  it('shows the reason on the sign-in page when the provider sign-in is refused', async () => {
    const context = await browser.newContext({ baseURL: server.url, locale: 'fi-FI' });
    const page = await context.newPage();
    await page.goto('/auth/sso/koulu/start');
    await page.waitForURL((url) => url.origin === op.issuer);
    // Nobody on the roster has this identity and no link code was given.
    await page.locator('input[name="login"]').fill('stranger');
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').waitFor();
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((url) => url.origin === server.url && url.pathname === '/sign-in');
    await page.getByRole('alert').filter({ hasText: fi.sso.errors.unknown_user }).waitFor();
    const session = await page.evaluate(async () => (await fetch('/api/auth/session')).json());
    expect(session).toEqual({ me: null });
    await context.close();
  });
});
