import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse } from '../../shared/api/auth.ts';
import { walkAdminPages } from './support/admin-walk.ts';
import { expectAccessible } from './support/axe.ts';
import { activeElement, anyLanguage, tabTo } from './support/keyboard.ts';
import { startServer, type RunningServer } from './support/polku-server.ts';
import { socketConnected } from './support/realtime.ts';
import { roleContent, type Role } from './support/role-content.ts';
import { apiGet, chooseLanguage, expectH1, expectVisibleText, fillSignIn, overflowsHorizontally, texts, type Lang } from './support/ui.ts';

const PASSWORD = 'polku-demo';
const { fi, sv, en } = texts;

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Optional: E2E_SCREENSHOT_DIR=/tmp/polku-shots keeps a picture of each page for a human look. */
const shotDir = process.env.E2E_SCREENSHOT_DIR;
if (shotDir) mkdirSync(shotDir, { recursive: true });
async function screenshot(page: Page, name: string) {
  if (shotDir) await page.screenshot({ path: path.join(shotDir, `${name}.png`), fullPage: true });
}

let server: RunningServer;
let browser: Browser;

async function newPage(options: { locale?: string; width?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: server.url,
    locale: options.locale ?? 'fi-FI',
    viewport: { width: options.width ?? 1280, height: 900 },
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
  return { context, page };
}

async function signIn(page: Page, username: string, lang: Lang = 'fi') {
  await page.goto('/');
  await page.waitForURL('**/sign-in');
  await chooseLanguage(page, lang);
  await expectH1(page, texts[lang].auth.heading);
  await fillSignIn(page, username, PASSWORD);
}

describe('Polku in a browser: sign-in and a home page per role', () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    // A safety net when a test failed before the stop test ran; a no-op otherwise.
    if (server && server.process.exitCode === null && server.process.signalCode === null) await server.stop();
  });

  it('sign-in page: follows the browser language, is accessible, and explains a wrong password', async () => {
    const { context, page } = await newPage({ locale: 'sv-FI' });
    try {
      await page.goto('/');
      await page.waitForURL('**/sign-in');
      await expectH1(page, sv.auth.heading);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('sv');
      expect(await page.title()).toBe(`${sv.auth.title} – Polku`);
      await expectAccessible(page, 'sign-in (sv)');
      await screenshot(page, 'sign-in-desktop');

      // Empty form: the fields say what is missing, and focus goes to the first one.
      await page.locator('main form button[type="submit"]').click();
      await expectVisibleText(page, sv.auth.usernameRequired);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('username');

      // Wrong password: a translated alert that receives focus.
      await chooseLanguage(page, 'fi');
      await page.locator('input[name="username"]').fill('demo.pupil');
      await page.locator('input[name="password"]').fill('not-the-password');
      await page.locator('main form button[type="submit"]').click();
      const alert = page.getByRole('alert');
      await alert.filter({ hasText: fi.errors.invalid_credentials }).waitFor();
      expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('alert');
      await expectAccessible(page, 'sign-in with error (fi)');
      expect(page.url()).toMatch(/\/sign-in$/);
    } finally {
      await context.close();
    }
  });

  const cases: Array<{ username: string; role: Role }> = [
    { username: 'demo.pupil', role: 'pupil' },
    { username: 'demo.teacher', role: 'teacher' },
    { username: 'demo.guardian', role: 'guardian' },
    { username: 'demo.admin', role: 'admin' },
  ];

  it.each(cases)('$username: home page, language switch, accessibility, sign-out', async ({ username, role }) => {
    const { context, page } = await newPage();
    try {
      await signIn(page, username, 'fi');
      await page.waitForURL(`**/${role}`);
      await expectH1(page, fi[role].heading);
      expect(await page.title()).toBe(`${fi[role].title} – Polku`);
      await roleContent[role](page);
      await page.getByRole('banner').getByText(fi.app.name, { exact: true }).waitFor();
      await expectAccessible(page, `${role} home (fi)`);
      await screenshot(page, `${role}-home-desktop`);

      if (role === 'admin') await walkAdminPages(page, { expectAccessible, screenshot });

      // The language switcher changes every text on the page, and the choice is saved to the profile.
      for (const lang of ['sv', 'en'] as const) {
        await chooseLanguage(page, lang);
        await expectH1(page, texts[lang][role].heading);
        await page.getByRole('button', { name: texts[lang].shell.signOut, exact: true }).waitFor();
        expect(await page.title()).toBe(`${texts[lang][role].title} – Polku`);
      }
      await expect.poll(async () => (await apiGet<MeResponse>(page, '/api/me')).body.user.locale).toBe('en');
      await expectAccessible(page, `${role} home (en)`);

      await page.getByRole('button', { name: en.shell.signOut, exact: true }).click();
      await expectH1(page, en.auth.heading);
      await expectVisibleText(page, en.auth.signedOut);
      expect(page.url()).toMatch(/\/sign-in$/);
      expect((await apiGet(page, '/api/me')).status).toBe(401);
      // Back in history must not show the signed-in page again.
      await page.goto(`/${role}`);
      await expectH1(page, en.auth.heading);
    } finally {
      await context.close();
    }
  });

  it('the saved language follows the user to another browser', async () => {
    // demo.pupil chose English above; this browser says Finnish.
    const { context, page } = await newPage({ locale: 'fi-FI' });
    try {
      await signIn(page, 'demo.pupil', 'fi');
      await expectH1(page, en.pupil.heading);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      await chooseLanguage(page, 'fi');
      await expectH1(page, fi.pupil.heading);
    } finally {
      await context.close();
    }
  });

  it('live updates: a change by an admin reaches a signed-in pupil at once; a password reset ends their session', async () => {
    const pupil = await newPage();
    const admin = await newPage();
    try {
      // The pupil's realtime connection is up once Socket.IO's connect packet ("40…") arrives.
      const connected = socketConnected(pupil.page);
      await signIn(pupil.page, 'demo.pupil', 'fi');
      await pupil.page.waitForURL('**/pupil');
      const { body: me } = await apiGet<MeResponse>(pupil.page, '/api/me');
      const lang: Lang = me.user.locale ?? 'fi';
      await connected;

      await signIn(admin.page, 'demo.admin', 'fi');
      await admin.page.waitForURL('**/admin');
      const patchPupil = (body: Record<string, unknown>) =>
        admin.page.evaluate(
          async ({ id, body }) => {
            const response = await fetch(`/api/users/${id}`, {
              method: 'PATCH',
              credentials: 'same-origin',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify(body),
            });
            return response.status;
          },
          { id: me.user.id, body },
        );

      expect(await patchPupil({ displayName: 'Aino Uusi-Nimi' })).toBe(200);
      await pupil.page.getByText(texts[lang].shell.signedInAs.replace('{{name}}', 'Aino Uusi-Nimi')).waitFor();
      expect(await patchPupil({ displayName: me.user.displayName })).toBe(200);
      await pupil.page.getByText(texts[lang].shell.signedInAs.replace('{{name}}', me.user.displayName)).waitFor();

      // Setting a password ends the user's sessions everywhere: the open page goes to sign-in.
      expect(await patchPupil({ password: PASSWORD })).toBe(200);
      await expectH1(pupil.page, texts[lang].auth.heading);
      await expectVisibleText(pupil.page, texts[lang].auth.sessionEnded);
      expect((await apiGet(pupil.page, '/api/me')).status).toBe(401);
    } finally {
      await pupil.context.close();
      await admin.context.close();
    }
  });

  it('keyboard only: sign in, skip link and sign out without a mouse', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto('/');
      await expectH1(page, fi.auth.heading);
      await tabTo(page, (el) => el.name === 'username');
      await page.keyboard.type('demo.teacher');
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL('**/teacher');
      await page.getByRole('heading', { level: 1 }).waitFor();

      // The first Tab on a freshly loaded page reaches the skip link; it moves focus to the main
      // content. (A reload: after client-side navigation focus is on the h1, and Tab goes on from there.)
      await page.reload();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.keyboard.press('Tab');
      expect(await activeElement(page)).toMatchObject({ tag: 'A', text: expect.stringMatching(anyLanguage('shell', 'skipToContent')) });
      await page.keyboard.press('Enter');
      expect(await activeElement(page)).toMatchObject({ id: 'main' });

      await tabTo(page, (el) => el.tag === 'BUTTON' && anyLanguage('shell', 'signOut').test(el.text));
      await page.keyboard.press('Enter');
      await page.waitForURL('**/sign-in');
      expect((await apiGet(page, '/api/me')).status).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('works at 320 px wide without sideways scrolling', async () => {
    const signInPage = await newPage({ width: 320 });
    try {
      await signInPage.page.goto('/');
      await expectH1(signInPage.page, fi.auth.heading);
      expect(await overflowsHorizontally(signInPage.page), 'sign-in page overflows at 320 px').toBe(false);
      await screenshot(signInPage.page, 'sign-in-320');
    } finally {
      await signInPage.context.close();
    }
    for (const { username, role } of [
      { username: 'demo.teacher', role: 'teacher' },
      { username: 'demo.admin', role: 'admin' },
      { username: 'demo.pupil', role: 'pupil' },
    ] as const) {
      const { context, page } = await newPage({ width: 320 });
      try {
        await signIn(page, username, 'fi');
        await page.waitForURL(`**/${role}`);
        await chooseLanguage(page, 'fi');
        await expectH1(page, fi[role].heading);
        await roleContent[role](page);
        expect(await overflowsHorizontally(page), `${role} home overflows at 320 px`).toBe(false);
        await screenshot(page, `${role}-home-320`);
        if (role === 'admin') {
          const me = await apiGet<MeResponse>(page, '/api/me');
          await page.goto(`/admin/schools/${me.body.schools[0]!.id}/users`);
          await page.getByRole('table').waitFor();
          expect(await overflowsHorizontally(page), 'admin users page overflows at 320 px').toBe(false);
          await screenshot(page, 'admin-users-320');
        }
      } finally {
        await context.close();
      }
    }
  });

  it('the server stops cleanly on SIGTERM', async () => {
    const result = await server.stop();
    expect(result, server.output()).toBe(0);
  });
});
