import { describe, expect, it } from 'vitest';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { BulkInvitationsResponse } from '../../shared/api/invitations.ts';
import type { School } from '../../shared/api/org.ts';
import { oneRosterFiles, zipOf } from '../fixtures/rosters/make-roster.ts';
import { expectAccessible } from './support/axe.ts';
import { activeElement } from './support/keyboard.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';
import { texts } from './support/ui.ts';

/**
 * Issue 11 §1–2 in a browser: an admin previews and applies a roster on the school's roster tab, and opens the
 * school's sign-in settings; every page passes axe. (The server side of both is tested in rosters.test.ts and sso.test.ts.)
 */
const { fi } = texts;
const suite = browserSuite();
const TIMEOUT = 20_000;

describe("the admin's school setup pages", () => {
  it('previews a roster as a diff, applies it with confirmation, reports, and shows the sign-in settings', async () => {
    const admin = await suite.session('demo.admin');
    const { body: me } = await apiJson<MeResponse>(admin.page, 'GET', '/api/me');
    const school = me.schools[0]!;
    const { body: schoolRow } = await apiJson<School>(admin.page, 'GET', `/api/schools/${school.id}`);
    const stamp = Date.now() % 100000;
    const roster = zipOf(
      oneRosterFiles({
        // The school's own code: a roster whose only school states another code is refused (it is another school's export).
        school: { sourcedId: `org${stamp}`, name: school.name, identifier: schoolRow.code ?? `e2e${stamp}` },
        classes: [{ id: `c${stamp}`, title: `Luokka ${stamp}`, year: '2026' }],
        pupils: [{ id: `p${stamp}`, given: 'Iida', family: 'Rosteri', classes: [`c${stamp}`] }],
        teachers: [],
        guardians: [],
      }),
    );

    await admin.page.goto(`/admin/schools/${school.id}/rosters`);
    await admin.page.getByRole('heading', { level: 2, name: fi.rosters.heading }).waitFor({ timeout: TIMEOUT });
    await expectAccessible(admin.page, 'roster upload');

    await admin.page.getByLabel(fi.rosters.file, { exact: true }).setInputFiles({ name: 'roster.zip', mimeType: 'application/zip', buffer: roster });
    await admin.page.getByRole('button', { name: fi.rosters.preview }).click();
    await admin.page.getByRole('heading', { level: 3, name: fi.rosters.previewHeading }).waitFor({ timeout: TIMEOUT });
    // One pupil and one group to create.
    const usersRow = admin.page.getByRole('row', { name: new RegExp(`^${fi.rosters.users}`) }).first();
    await expect.poll(async () => (await usersRow.getByRole('cell').first().textContent())?.trim(), { timeout: TIMEOUT }).toBe('1');
    await expectAccessible(admin.page, 'roster preview');

    await admin.page.getByRole('button', { name: fi.rosters.apply }).click();
    const dialog = admin.page.getByRole('dialog');
    await dialog.waitFor({ timeout: TIMEOUT });
    await dialog.getByRole('button', { name: fi.rosters.apply }).click();
    await admin.page.getByRole('heading', { level: 3, name: fi.rosters.reportHeading }).waitFor({ timeout: TIMEOUT });
    await expectAccessible(admin.page, 'roster report');
    // The rostered pupil is a user of the school now.
    const { body: directory } = await apiJson<{ users: Array<{ displayName: string }> }>(
      admin.page,
      'GET',
      `/api/schools/${school.id}/user-directory?q=Rosteri`,
    );
    expect(directory.users.map((u) => u.displayName)).toEqual(['Iida Rosteri']);

    await admin.page.getByRole('link', { name: fi.sso.settings.tab, exact: true }).click();
    await admin.page.getByRole('heading', { level: 2, name: fi.sso.settings.heading }).waitFor({ timeout: TIMEOUT });
    await expectAccessible(admin.page, 'sign-in settings');
  });

  it('invites the guardians of the pupils chosen in the user list, by keyboard; a teacher chosen too is left out and counted', async () => {
    const admin = await suite.session('demo.admin');
    const { page } = admin;
    const { body: me } = await apiJson<MeResponse>(page, 'GET', '/api/me');
    const school = me.schools[0]!;
    const { body: pupils } = await apiJson<{ users: Array<{ displayName: string }> }>(
      page,
      'GET',
      `/api/schools/${school.id}/user-directory?role=pupil&active=true`,
    );
    const { body: teachers } = await apiJson<{ users: Array<{ displayName: string }> }>(page, 'GET', `/api/schools/${school.id}/user-directory?role=teacher`);
    const chosen = pupils.users.slice(0, 2).map((u) => u.displayName);
    const teacher = teachers.users[0]!.displayName;
    const bulk = fi.invitations.bulk;
    const count = (template: string, n: number) => template.replace('{{count}}', String(n));

    await page.goto(`/admin/schools/${school.id}/users?role=pupil&active=true`);
    for (const name of chosen) await page.getByRole('checkbox', { name: `Valitse ${name}`, exact: true }).check({ timeout: TIMEOUT });
    // The choice stays when the filter changes: a teacher joins it.
    await page.getByLabel(fi.admin.users.filter, { exact: true }).selectOption('teacher');
    await page.getByRole('checkbox', { name: `Valitse ${teacher}`, exact: true }).check({ timeout: TIMEOUT });

    // Keyboard only from here: the button opens the form and focus moves to its heading.
    const open = page.getByRole('button', { name: count(bulk.open_other, 2), exact: true });
    await open.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 3, name: count(bulk.heading_other, 2) }).waitFor({ timeout: TIMEOUT });
    expect((await activeElement(page)).tag).toBe('H3');
    // The demo sends no e-mail: the form says to print the letters, and asks for no addresses.
    await page.getByText(bulk.noEmail, { exact: true }).waitFor();
    await page.getByText(count(bulk.othersLeftOut_one, 1), { exact: true }).waitFor();
    await expectAccessible(page, 'bulk invite form');
    const made = page.waitForResponse((r) => r.url().endsWith(`/api/schools/${school.id}/guardian-invitations`) && r.request().method() === 'POST');
    await page.getByRole('button', { name: count(bulk.submit_other, 2), exact: true }).focus();
    await page.keyboard.press('Enter');
    const result = (await (await made).json()) as BulkInvitationsResponse;
    expect(result.skipped).toEqual({ notPupils: 1, inactive: 0, adults: 0 });
    expect(result.letters.map((l) => l.pupilName).sort()).toEqual([...chosen].sort());

    // The letters, ready to print, and how many were left out.
    await page.getByRole('heading', { level: 2, name: count(bulk.made_other, 2) }).waitFor({ timeout: TIMEOUT });
    await page.getByText(count(bulk.skippedNotPupils_one, 1), { exact: true }).waitFor();
    await expect.poll(() => page.locator('article.invitation-letter').count()).toBe(2);
    for (const letter of result.letters) await page.locator('article.invitation-letter', { hasText: letter.code }).waitFor();
    await expectAccessible(page, 'bulk invitation letters');
    await page.getByRole('button', { name: bulk.back, exact: true }).click();
    await page.getByRole('table').waitFor({ timeout: TIMEOUT });
  });

  it("invites one pupil's guardian from the pupil's page: without SMTP it says to print the letter, and shows it", async () => {
    const admin = await suite.session('demo.admin');
    const { page } = admin;
    const { body: me } = await apiJson<MeResponse>(page, 'GET', '/api/me');
    const school = me.schools[0]!;
    const { body: pupils } = await apiJson<{ users: Array<{ id: string; displayName: string }> }>(
      page,
      'GET',
      `/api/schools/${school.id}/user-directory?role=pupil&active=true`,
    );
    const pupil = pupils.users.at(-1)!;
    const panel = fi.invitations.pupil;
    await page.goto(`/admin/schools/${school.id}/users/${pupil.id}`);
    await page.getByRole('heading', { level: 2, name: panel.heading.replace('{{pupil}}', pupil.displayName) }).waitFor({ timeout: TIMEOUT });
    await page.getByText(panel.noEmail, { exact: true }).waitFor({ timeout: TIMEOUT });
    // No SMTP: nowhere to type an address that would never be used.
    expect(await page.getByLabel(panel.email).count()).toBe(0);
    await page.getByLabel(panel.locale).selectOption('sv');
    await page.getByRole('button', { name: panel.submit, exact: true }).click();
    await page.getByText(panel.letterMade, { exact: true }).waitFor({ timeout: TIMEOUT });
    const letter = page.locator('article.invitation-letter[lang="sv"]');
    await letter.getByText(pupil.displayName).first().waitFor({ timeout: TIMEOUT });
    await page.getByRole('cell', { name: fi.invitations.states.created }).first().waitFor({ timeout: TIMEOUT });
    await expectAccessible(page, "a pupil's guardian invitations");
  });
});
