import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact, TimelinePage } from '../../shared/api/artefacts.ts';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { MyGroup } from '../../shared/api/org.ts';
import type { Project } from '../../shared/api/projects.ts';
import { png } from '../fixtures/make-fixtures.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';
import { chooseLanguage, expectH1, fillSignIn, overflowsHorizontally, texts } from './support/ui.ts';

/**
 * Issue 8, F21 and A5 (client side): the client never loses what a person typed, every page says
 * why it could not load instead of "Loading…" for ever, and unshared work leaves a guardian's
 * open page at once.
 */
const { fi, en } = texts;
const suite = browserSuite();
const TIMEOUT = 15_000;
let fixtureDir: string;
let photo: string;

/** The pupil's own artefacts with this title, as the server has them. */
async function artefactsTitled(page: Page, pupilId: string, title: string): Promise<Artefact[]> {
  const items: Artefact[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/api/pupils/${pupilId}/artefacts?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page1: { status: number; body: TimelinePage } = await apiJson<TimelinePage>(page, 'GET', query);
    expect(page1.status).toBe(200);
    items.push(...page1.body.items);
    cursor = page1.body.nextCursor;
  } while (cursor);
  return items.filter((a) => a.title === title);
}

/** Creates an artefact through the API as the page's user (multipart, as the form sends it). */
async function createArtefact(page: Page, data: Record<string, unknown>): Promise<Artefact> {
  const result = await page.evaluate(async (d) => {
    const form = new FormData();
    form.append('data', JSON.stringify(d));
    const response = await fetch('/api/artefacts', { method: 'POST', body: form, credentials: 'same-origin', headers: { Accept: 'application/json' } });
    return { status: response.status, body: (await response.json()) as unknown };
  }, data);
  expect(result.status, JSON.stringify(result.body)).toBe(201);
  return result.body as Artefact;
}

async function fillNewArtefact(page: Page, title: string, body: string): Promise<void> {
  await page.goto('/artefacts/new');
  await expectH1(page, fi.artefactForm.newHeading);
  await page.locator('input[name="title"]').fill(title);
  await page.locator('[contenteditable="true"]').click();
  await page.keyboard.type(body);
  await page.locator('input[name="files"]').setInputFiles(photo);
  await page.locator('.pending-file__name', { hasText: path.basename(photo) }).waitFor({ timeout: TIMEOUT });
}

const saveState = (page: Page, state: string) => page.locator(`[data-save-state="${state}"]`).waitFor({ timeout: TIMEOUT });
const isArtefactPage = (url: URL) => /^\/artefacts\/[0-9a-f-]{36}$/.test(url.pathname);

describe('The client keeps unsent work and says what went wrong', () => {
  beforeAll(async () => {
    fixtureDir = await mkdtemp(path.join(tmpdir(), 'polku-client-trust-'));
    photo = await png(fixtureDir, 'lehti.png');
  });
  afterAll(async () => {
    if (fixtureDir) await rm(fixtureDir, { recursive: true, force: true });
  });

  it('saving offline shows the offline state and saves exactly once when the connection returns', async () => {
    const { page, context } = await suite.session('demo.pupil');
    const me = (await apiJson<MeResponse>(page, 'GET', '/api/me')).body;
    const title = `Offline-työ ${Date.now() % 100000}`;
    await fillNewArtefact(page, title, 'Kirjoitin tämän junassa.');

    await context.setOffline(true);
    await page.locator('main form button[type="submit"]').click();
    await saveState(page, 'offline');
    await page.getByText(fi.artefactForm.offlineKept, { exact: true }).waitFor({ timeout: TIMEOUT });
    expect(isArtefactPage(new URL(page.url())), 'nothing was saved while offline').toBe(false);

    await context.setOffline(false);
    await page.waitForURL(isArtefactPage, { timeout: TIMEOUT });
    await expectH1(page, title);
    const saved = await artefactsTitled(page, me.user.id, title);
    expect(saved).toHaveLength(1);
    expect(saved[0]!.media).toHaveLength(1);
  });

  it('a reload keeps the unsent draft (text and file); a failed save offers a retry; the retry saves it once', async () => {
    const { page, context } = await suite.session('demo.pupil');
    const me = (await apiJson<MeResponse>(page, 'GET', '/api/me')).body;
    const title = `Luonnos ${Date.now() % 100000}`;
    const body = 'Tämä ei saa kadota.';
    await fillNewArtefact(page, title, body);

    await context.setOffline(true);
    await page.locator('main form button[type="submit"]').click();
    await saveState(page, 'offline');

    // The connection "returns" but the server cannot be reached: the automatic retry fails visibly.
    const blockCreate = (url: URL) => url.pathname === '/api/artefacts';
    await page.route(blockCreate, (route) => (route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.continue()));
    await context.setOffline(false);
    await saveState(page, 'failed');

    await page.reload();
    await expectH1(page, fi.artefactForm.newHeading);
    await page.locator('.draft-notice').waitFor({ timeout: TIMEOUT });
    expect(await page.locator('input[name="title"]').inputValue()).toBe(title);
    expect(await page.locator('[contenteditable="true"]').textContent()).toContain(body);
    await page.locator('.pending-file__name', { hasText: path.basename(photo) }).waitFor({ timeout: TIMEOUT });
    // The Save was pressed before the reload: it is tried again by itself, and fails again here.
    await saveState(page, 'failed');
    expect(await artefactsTitled(page, me.user.id, title)).toHaveLength(0);

    await page.unroute(blockCreate);
    await page.locator('.save-status').getByRole('button', { name: fi.common.retry, exact: true }).click();
    await page.waitForURL(isArtefactPage, { timeout: TIMEOUT });
    await expectH1(page, title);
    const saved = await artefactsTitled(page, me.user.id, title);
    expect(saved).toHaveLength(1);
    expect(saved[0]!.media).toHaveLength(1);

    // Confirmed by the server: the draft is gone.
    await page.goto('/artefacts/new');
    await expectH1(page, fi.artefactForm.newHeading);
    await page.locator('input[name="title"]').waitFor({ timeout: TIMEOUT });
    expect(await page.locator('.draft-notice').count()).toBe(0);
    expect(await page.locator('input[name="title"]').inputValue()).toBe('');
  });

  it('pages say why they cannot be shown: a missing project, and a project the reader may no longer open', async () => {
    const teacher = await suite.session('demo.teacher');
    const pupil = await suite.session('demo.pupil');
    const me = (await apiJson<MeResponse>(pupil.page, 'GET', '/api/me')).body;
    const groups = (await apiJson<{ groups: MyGroup[] }>(teacher.page, 'GET', '/api/me/groups')).body.groups;
    const group = groups.find((g) => g.role === 'teacher' && g.pupils.some((p) => p.id === me.user.id))!;
    expect(group).toBeDefined();

    // A project the pupil took part in, whose group was later removed from it (as with an imported project).
    const created = await apiJson<Project>(teacher.page, 'POST', '/api/projects', {
      schoolId: group.school.id,
      title: `Poistuva projekti ${Date.now() % 100000}`,
      groupIds: [group.id],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const project = created.body;
    const artefact = await createArtefact(pupil.page, { title: `Projektin työ ${Date.now() % 100000}`, projectId: project.id });
    const patched = await apiJson<Project>(teacher.page, 'PATCH', `/api/projects/${project.id}`, { groupIds: [] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);

    await pupil.page.goto(`/artefacts/${artefact.id}`);
    await expectH1(pupil.page, artefact.title);
    await pupil.page.getByText(fi.artefact.projectUnavailable, { exact: true }).waitFor({ timeout: TIMEOUT });

    await pupil.page.goto(`/projects/${project.id}`);
    await pupil.page.locator('.page-error').waitFor({ timeout: TIMEOUT });
    expect(await pupil.page.locator('h1').textContent()).not.toBe(fi.common.loading);

    await pupil.page.goto('/projects/00000000-0000-4000-8000-000000000000');
    await expectH1(pupil.page, fi.projects.notFound);
    await pupil.page.locator('.page-error[data-error-kind="notFound"]').waitFor({ timeout: TIMEOUT });
  });

  it("a guardian's open artefact page drops the artefact as soon as the pupil stops sharing it", async () => {
    const pupil = await suite.session('demo.pupil');
    const guardian = await suite.session('demo.guardian');
    const shared = await createArtefact(pupil.page, { title: `Jaettu hetken ${Date.now() % 100000}`, visibility: 'guardians' });

    await guardian.page.goto(`/artefacts/${shared.id}`);
    await expectH1(guardian.page, shared.title);

    const unshared = await apiJson<Artefact>(pupil.page, 'PATCH', `/api/artefacts/${shared.id}`, { visibility: 'private' });
    expect(unshared.status).toBe(200);
    // Live, through `artefact.access_lost` (shared/realtime.ts): no reload, no navigation.
    await expectH1(guardian.page, fi.artefact.accessLost);
    expect(await guardian.page.getByText(shared.title).count()).toBe(0);
  });

  it('the sign-in page logs no console error when signed out, and its error follows a language switch', async () => {
    const context = await suite.browser.newContext({ baseURL: suite.server.url, locale: 'fi-FI' });
    try {
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      await page.goto('/sign-in');
      await expectH1(page, fi.auth.heading);
      await page.waitForLoadState('networkidle');
      expect(consoleErrors, 'a signed-out visit is not an error').toEqual([]);

      await fillSignIn(page, 'demo.pupil', 'not-the-password');
      await page.getByText(fi.errors.invalid_credentials, { exact: true }).waitFor({ timeout: TIMEOUT });
      await chooseLanguage(page, 'en');
      await page.getByText(en.errors.invalid_credentials, { exact: true }).waitFor({ timeout: TIMEOUT });
      expect(await page.getByText(fi.errors.invalid_credentials, { exact: true }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('at 375 px the group overview and the admin user list show every column inside the screen', async () => {
    /** Body cells that reach past the right edge of the viewport (cut off, or only reachable by a hidden sideways scroll). */
    const cutOffCells = (page: Page) =>
      page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        return Array.from(document.querySelectorAll('.table-wrap tbody td, .table-wrap tbody th'))
          .filter((cell) => cell.getBoundingClientRect().right > width + 1)
          .map((cell) => cell.textContent ?? '');
      });

    const teacher = await suite.session('demo.teacher', { width: 375 });
    const groups = (await apiJson<{ groups: MyGroup[] }>(teacher.page, 'GET', '/api/me/groups')).body.groups;
    const group = groups.find((g) => g.role === 'teacher' && g.pupils.length > 0)!;
    await teacher.page.goto(`/teacher/groups/${group.id}`);
    await teacher.page.locator('.table-wrap tbody tr').first().waitFor({ timeout: TIMEOUT });
    expect(await cutOffCells(teacher.page)).toEqual([]);
    expect(await overflowsHorizontally(teacher.page)).toBe(false);

    const admin = await suite.session('demo.admin', { width: 375 });
    const me = (await apiJson<MeResponse>(admin.page, 'GET', '/api/me')).body;
    const schoolId = me.roles.find((r) => r.role === 'admin')!.schoolId;
    await admin.page.goto(`/admin/schools/${schoolId}/users`);
    await admin.page.locator('.table-wrap tbody tr').first().waitFor({ timeout: TIMEOUT });
    expect(await cutOffCells(admin.page)).toEqual([]);
    expect(await overflowsHorizontally(admin.page)).toBe(false);
  });
});
