import { describe, expect, it } from 'vitest';
import type { MeResponse } from '../../shared/api/auth.ts';
import { expectAccessible } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';
import { expectH1, texts } from './support/ui.ts';

/** Issue 11 §3: a teacher prints sign-in cards; a pupil signs in by opening the card's URL, or by typing its code. */
const { fi } = texts;
const suite = browserSuite();
const TIMEOUT = 15_000;

describe('QR sign-in cards in a browser', () => {
  it('the teacher prints cards; the card URL and the typed code sign the pupil in; a revoked card is refused', async () => {
    const teacher = await suite.session('demo.teacher');
    await teacher.page.goto('/teacher');
    await teacher.page
      .getByRole('link', { name: new RegExp(`^${fi.signInCards.group.link}`) })
      .first()
      .click();
    await teacher.page.waitForURL('**/groups/*/cards');
    await teacher.page.getByRole('table').waitFor({ timeout: TIMEOUT });
    await expectAccessible(teacher.page, 'group cards');

    await teacher.page.getByRole('button', { name: fi.signInCards.group.printAll }).click();
    // If the demo pupils already had cards, the teacher is asked first.
    const dialog = teacher.page.getByRole('dialog');
    const sheet = teacher.page.locator('.sign-in-card').filter({ hasText: 'Aino Mäkinen' });
    await Promise.race([
      dialog.waitFor({ timeout: TIMEOUT }).then(() => dialog.getByRole('button', { name: fi.signInCards.group.replaceConfirmButton }).click()),
      sheet.waitFor({ timeout: TIMEOUT }),
    ]);
    await sheet.waitFor({ timeout: TIMEOUT });
    await expect.poll(() => sheet.locator('svg').count(), { timeout: TIMEOUT }).toBe(1);
    await expectAccessible(teacher.page, 'printable cards');
    const printed = (await sheet.locator('.sign-in-card__code span').textContent()) ?? '';
    expect(printed).toMatch(/^([0-9A-Z]{4} ){7}[0-9A-Z]{4}$/);
    const code = printed.replace(/ /g, '').toLowerCase();

    // 1. The card's URL, as a phone's camera app opens it: signed in, and the code is gone from the address bar.
    const phone = await suite.browser.newContext({ baseURL: suite.server.url, locale: 'fi-FI', viewport: { width: 390, height: 800 } });
    try {
      const page = await phone.newPage();
      await page.goto(`/card#${code}`);
      await page.waitForURL((url) => url.pathname === '/pupil', { timeout: TIMEOUT });
      expect(page.url()).not.toContain(code);
      const me = await apiJson<MeResponse>(page, 'GET', '/api/me');
      expect(me.body.user.username).toBe('demo.pupil');
      expect(await page.evaluate(() => window.history.length)).toBeGreaterThan(0);
    } finally {
      await phone.close();
    }

    // 2. The scan page on a class tablet, with the typed code (the camera's fallback).
    const tablet = await suite.browser.newContext({ baseURL: suite.server.url, locale: 'fi-FI' });
    try {
      const page = await tablet.newPage();
      await page.goto('/card');
      await expectH1(page, fi.signInCards.scan.heading);
      await expectAccessible(page, 'scan my card');
      await page.getByLabel(fi.signInCards.scan.codeLabel).fill(printed.toLowerCase());
      await page.getByRole('button', { name: fi.signInCards.scan.submit }).click();
      await page.waitForURL((url) => url.pathname === '/pupil', { timeout: TIMEOUT });
    } finally {
      await tablet.close();
    }

    // 3. The card is lost: the teacher revokes it in two clicks; the same code is refused with a message a child's adult understands.
    await teacher.page.getByRole('button', { name: fi.signInCards.sheet.close }).click();
    const row = teacher.page.getByRole('row').filter({ hasText: 'Aino Mäkinen' });
    await row.getByRole('button', { name: fi.signInCards.group.revoke }).click();
    await teacher.page.getByRole('dialog').getByRole('button', { name: fi.signInCards.group.revokeConfirmButton }).click();
    await expect.poll(() => row.textContent(), { timeout: TIMEOUT }).toContain(fi.signInCards.group.noCard);
    const late = await suite.browser.newContext({ baseURL: suite.server.url, locale: 'fi-FI' });
    try {
      const page = await late.newPage();
      await page.goto(`/card#${code}`);
      await page.getByText(fi.signInCards.scan.refused).waitFor({ timeout: TIMEOUT });
      expect(page.url()).not.toContain(code);
      await expectAccessible(page, 'refused card');
      expect((await apiJson(page, 'GET', '/api/me')).status).toBe(401);
    } finally {
      await late.close();
    }
  });

  it("the admin's user list: search, choose, deactivate with confirmation, and undo", async () => {
    const admin = await suite.session('demo.admin');
    const schools = (await apiJson<{ schools: Array<{ id: string }> }>(admin.page, 'GET', '/api/schools')).body.schools;
    const schoolId = schools[0]!.id;
    await admin.page.goto(`/admin/schools/${schoolId}/users`);
    await admin.page.getByLabel(fi.signInCards.directory.search).fill('Aino');
    await admin.page.getByRole('button', { name: fi.signInCards.directory.searchButton, exact: true }).click();
    await admin.page.waitForURL('**/users?q=Aino');
    const row = admin.page.getByRole('row').filter({ hasText: 'Aino Mäkinen' });
    await row.waitFor({ timeout: TIMEOUT });
    await row.getByRole('checkbox').check();
    await admin.page.getByRole('heading', { name: fi.signInCards.directory.chosen_one.replace('{{count}}', '1') }).waitFor({ timeout: TIMEOUT });
    await expectAccessible(admin.page, 'user list with a choice');
    await admin.page.getByRole('button', { name: fi.signInCards.directory.deactivate, exact: true }).click();
    await admin.page.getByRole('dialog').getByRole('button', { name: fi.signInCards.directory.deactivate }).click();
    await expect.poll(() => row.textContent(), { timeout: TIMEOUT }).toContain(fi.admin.users.inactive);
    await admin.page.getByRole('button', { name: fi.signInCards.directory.undo }).click();
    await expect.poll(() => row.textContent(), { timeout: TIMEOUT }).toContain(fi.admin.users.active);
  });
});
