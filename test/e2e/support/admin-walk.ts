import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { MeResponse } from '../../../shared/api/auth.ts';
import { apiGet, expectH1, expectVisibleText, texts } from './ui.ts';

const { fi } = texts;

interface Checks {
  expectAccessible: (page: Page, label: string) => Promise<void>;
  screenshot: (page: Page, name: string) => Promise<void>;
}

/** The value of the first real choice in a select (after its placeholder), once the options have loaded. */
async function firstChoice(page: Page, label: string): Promise<string> {
  const select = page.getByLabel(label, { exact: true });
  await expect.poll(() => select.locator('option').count(), { timeout: 10_000 }).toBeGreaterThan(1);
  const value = await select.locator('option').nth(1).getAttribute('value');
  if (!value) throw new Error(`No choice in ${label}`);
  return value;
}

function tab(page: Page, name: string) {
  return page.getByRole('navigation', { name: fi.admin.school.subnav }).getByRole('link', { name, exact: true });
}

/**
 * An administrator's round through every admin page, in Finnish: each page passes axe, and the
 * main forms work end to end (validation messages, success notices, confirmation dialogs).
 */
export async function walkAdminPages(page: Page, { expectAccessible, screenshot }: Checks): Promise<void> {
  const { body: me } = await apiGet<MeResponse>(page, '/api/me');
  const school = me.schools[0]!;

  // School overview: edit form.
  await page.getByRole('link', { name: school.name, exact: true }).click();
  await expectH1(page, school.name);
  await page.getByRole('heading', { level: 2, name: fi.admin.school.overview }).waitFor();
  await page.getByRole('button', { name: fi.common.save }).click();
  await expectVisibleText(page, fi.admin.school.saved);
  await expectAccessible(page, 'admin school overview');

  // Groups: list, create with a validation error first.
  await tab(page, fi.admin.school.groups).click();
  await page.getByRole('heading', { level: 2, name: fi.admin.groups.heading }).waitFor();
  await page.getByRole('table').waitFor();
  await expectAccessible(page, 'admin groups');
  const groupName = `E2E ${Date.now() % 100000}`;
  await page.getByLabel(fi.admin.groups.name, { exact: true }).fill(groupName);
  await page.getByLabel(new RegExp(`^${fi.admin.groups.schoolYear}`)).fill('2026/27');
  await page.getByRole('button', { name: fi.admin.groups.createSubmit }).click();
  await expectVisibleText(page, fi.validation.schoolYear);
  expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('schoolYear');
  await expectAccessible(page, 'admin groups with a field error');
  await page.getByLabel(new RegExp(`^${fi.admin.groups.schoolYear}`)).fill('2026-2027');
  await page.getByRole('button', { name: fi.admin.groups.createSubmit }).click();
  await expectVisibleText(page, fi.admin.groups.created.replace('{{name}}', groupName));
  await screenshot(page, 'admin-groups-desktop');

  // One group: add a pupil, then remove them through the confirmation dialog.
  await page.getByRole('link', { name: groupName, exact: true }).click();
  await page.getByRole('heading', { level: 2, name: groupName }).waitFor();
  await expectAccessible(page, 'admin group (empty)');
  const pupilId = await firstChoice(page, fi.admin.group.user);
  await page.getByLabel(fi.admin.group.user, { exact: true }).selectOption(pupilId);
  await page.getByRole('button', { name: fi.admin.group.addSubmit }).click();
  const row = page.getByRole('table').getByRole('row').nth(1);
  await row.waitFor();
  const memberName = (await row.getByRole('rowheader').textContent()) ?? '';
  await expectVisibleText(page, fi.admin.group.added.replace('{{name}}', memberName));
  await expectAccessible(page, 'admin group with a member');
  await row.getByRole('button').click();
  const dialog = page.getByRole('dialog', { name: fi.confirm.title });
  await dialog.waitFor();
  await expectAccessible(page, 'confirmation dialog');
  await screenshot(page, 'admin-confirm-dialog');
  await dialog.getByRole('button', { name: fi.admin.group.remove, exact: true }).click();
  await expectVisibleText(page, fi.admin.group.removed.replace('{{name}}', memberName));
  await page.getByText(fi.admin.group.noMembers).waitFor();

  // Users: filter by role, create one (too short a password first), open them.
  await tab(page, fi.admin.school.users).click();
  await page.getByRole('heading', { level: 2, name: fi.admin.users.heading }).waitFor();
  await page.getByRole('table').waitFor();
  await expectAccessible(page, 'admin users');
  await page.getByLabel(fi.admin.users.filter, { exact: true }).selectOption('guardian');
  await page.waitForURL('**/users?role=guardian');
  await page.getByRole('table').getByText(`(${fi.roles.guardian})`).waitFor();
  const username = `e2e.user${Date.now() % 100000}`;
  await page.getByLabel(fi.admin.users.displayName, { exact: true }).fill('Testi Käyttäjä');
  await page.getByLabel(fi.admin.users.username, { exact: true }).fill(username);
  await page.getByLabel(fi.admin.users.role, { exact: true }).selectOption('guardian');
  await page.getByLabel(new RegExp(`^${fi.admin.users.password}`)).fill('lyhyt');
  await page.getByRole('button', { name: fi.admin.users.createSubmit }).click();
  await expectVisibleText(page, fi.validation.tooShort_other.replace('{{count}}', '10'));
  await page.getByLabel(new RegExp(`^${fi.admin.users.password}`)).fill('pitkä-ja-hyvä-salasana');
  await page.getByRole('button', { name: fi.admin.users.createSubmit }).click();
  await expectVisibleText(page, fi.admin.users.created.replace('{{name}}', 'Testi Käyttäjä'));
  await page.getByRole('link', { name: 'Testi Käyttäjä', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'Testi Käyttäjä' }).waitFor();
  await expectAccessible(page, 'admin user');
  await page.getByLabel(fi.admin.users.displayName, { exact: true }).fill('Testi Muokattu');
  await page.getByRole('button', { name: fi.common.save }).click();
  await expectVisibleText(page, fi.admin.user.saved);
  await screenshot(page, 'admin-user-desktop');

  // Guardian links: link the new guardian to a pupil, then remove the link.
  await tab(page, fi.admin.school.links).click();
  await page.getByRole('heading', { level: 2, name: fi.admin.links.heading }).waitFor();
  await page.getByRole('table').waitFor();
  await expectAccessible(page, 'admin guardian links');
  const guardianSelect = page.getByLabel(fi.admin.links.guardian, { exact: true });
  await expect.poll(() => guardianSelect.locator('option').count(), { timeout: 10_000 }).toBeGreaterThan(1);
  const guardianValue = await guardianSelect.locator('option', { hasText: username }).getAttribute('value');
  await guardianSelect.selectOption(guardianValue!);
  await page.getByLabel(fi.admin.links.pupil, { exact: true }).selectOption(await firstChoice(page, fi.admin.links.pupil));
  await page.getByRole('button', { name: fi.admin.links.createSubmit, exact: true }).click();
  const linkRow = page.getByRole('row', { name: /Testi Muokattu/ });
  await linkRow.waitFor();
  await linkRow.getByRole('button').click();
  await dialog.waitFor();
  await dialog.getByRole('button', { name: fi.admin.links.delete, exact: true }).click();
  await linkRow.waitFor({ state: 'detached' });
  await screenshot(page, 'admin-links-desktop');

  await page.getByRole('link', { name: fi.admin.school.backToSchools }).click();
  await expectH1(page, fi.admin.heading);
}
