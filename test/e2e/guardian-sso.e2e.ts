import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvitationLetters } from '../../shared/api/invitations.ts';
import { startTestOp, type TestOp } from '../helpers/oidc-provider.ts';
import { axeViolations } from './support/axe.ts';
import { startServer, type RunningServer } from './support/polku-server.ts';
import { CHROMIUM_ARGS, PASSWORD } from './support/session.ts';
import { expectH1, texts } from './support/ui.ts';

/**
 * Issue 11 §4 in Chromium: a guardian opens the invitation from the letter, chooses "Continue with" their own
 * provider account, passes the real provider's login and consent pages (oidc-provider's development pages),
 * and lands in Polku as a new guardian of the child. The demo school switches no provider on.
 */
let op: TestOp;
let server: RunningServer;
let browser: Browser;
const fi = texts.fi;

beforeAll(async () => {
  op = await startTestOp();
  server = await startServer({
    SSO_PROVIDERS: 'oma',
    SSO_OMA_ISSUER: op.issuer,
    SSO_OMA_CLIENT_ID: 'polku-e2e-guardian',
    SSO_OMA_CLIENT_SECRET: 'e2e-guardian-secret',
    SSO_OMA_LABEL: 'Oma tili',
  });
  op.serve({
    accounts: { 'hanna.oma': { name: 'Hanna Huoltaja', email: 'hanna@koti.example', email_verified: true } },
    clients: [{ client_id: 'polku-e2e-guardian', client_secret: 'e2e-guardian-secret', redirect_uris: [`${server.url}/auth/sso/oma/callback`] }],
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await op?.close();
});

/** The demo admin, through the API: an invitation for the demo pupil, as the printed letter gives it. */
async function invitationLetter(): Promise<{ code: string; pupilName: string }> {
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
  const res = await fetch(`${server.url}/api/guardian-invitations`, { method: 'POST', headers, body: JSON.stringify({ pupilId: pupil?.id ?? '' }) });
  expect(res.status).toBe(201);
  const letter = ((await res.json()) as InvitationLetters).letters[0]!;
  return { code: letter.code, pupilName: letter.pupilName };
}

describe('guardian invitation with a provider account, in the browser', () => {
  it('accepts through the provider’s real login page and lands as the child’s guardian', async () => {
    const letter = await invitationLetter();
    const context = await browser.newContext({ baseURL: server.url, locale: 'fi-FI' });
    try {
      const page = await context.newPage();
      await page.goto(`/invitation#code=${letter.code}`);
      await expectH1(page, fi.invitations.accept.heading);
      await page.getByRole('button', { name: fi.invitations.accept.open, exact: true }).click();
      const provider = page.getByRole('button', { name: 'Jatka palvelulla Oma tili' });
      await provider.waitFor();
      const violations = await axeViolations(page, 'accept invitation with a provider');
      expect(violations, violations.join('\n\n')).toEqual([]);
      await provider.click();

      // The provider's own pages: its login form, then its consent. The code is in no address on the way.
      await page.waitForURL((url) => url.origin === op.issuer);
      expect(page.url()).not.toContain(letter.code);
      await page.locator('input[name="login"]').fill('hanna.oma');
      await page.locator('input[name="password"]').fill('anything');
      await page.locator('button[type="submit"]').click();
      await page.locator('button[type="submit"]').waitFor();
      await page.locator('button[type="submit"]').click();

      await page.waitForURL((url) => url.origin === server.url && url.pathname === '/guardian', { timeout: 30_000 });
      const session = (await page.evaluate(async () => (await fetch('/api/auth/session')).json())) as {
        me: { user: { displayName: string }; roles: Array<{ role: string }> };
      };
      expect(session.me.user.displayName).toBe('Hanna Huoltaja');
      expect(session.me.roles.map((r) => r.role)).toEqual(['guardian']);
      await page.getByRole('link', { name: letter.pupilName, exact: true }).waitFor();
    } finally {
      await context.close();
    }
  });
});
