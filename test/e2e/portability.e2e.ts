import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARCHIVE_PATHS, portfolioDocumentSchema } from '../../shared/portability/portfolio-format.ts';
import { tinyLeap2a } from '../fixtures/tiny-leap2a.ts';
import { unzipTo, zipEntryNames } from '../helpers/zip.ts';
import { expectAccessible } from './support/axe.ts';
import { expectCleanOfflineWalk, walkOfflineSite } from './support/offline-site.ts';
import { browserSuite } from './support/browser-suite.ts';
import { expectH1, overflowsHorizontally, texts } from './support/ui.ts';

const { fi } = texts;
const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(values[key]));

/**
 * Records, from before the click, every progress bar that appears on the page and the values it
 * announces: the export can finish quickly, and a MutationObserver misses no state React rendered.
 */
async function watchProgressBars(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __progress: string[] }).__progress = seen;
    const record = () => {
      for (const bar of Array.from(document.querySelectorAll('[role="progressbar"]'))) seen.push(bar.getAttribute('aria-valuenow') ?? 'none');
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  });
}
const progressSeen = (page: Page) => page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);

const suite = browserSuite();
const { session } = suite;

describe('export and import in the browser', () => {
  it('the demo pupil exports from the portfolio page, follows the progress, and downloads a ZIP with index.html', async () => {
    const { page } = await session('demo.pupil');
    const socketEvents: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => socketEvents.push(String(payload).slice(0, 40))));
    await page.goto('/pupil');
    await expectH1(page, fi.pupil.heading);
    const button = page.getByRole('button', { name: fi.portability.exportAction, exact: true });
    await button.waitFor();
    await watchProgressBars(page);

    // Keyboard: focus the action and press Enter.
    await button.focus();
    await page.keyboard.press('Enter');
    const link = page.getByRole('link', { name: new RegExp(`^${fill(fi.portability.download, { file: 'polku-demo\\.pupil-.*\\.zip' })}$`) }).first();
    await link.waitFor({ timeout: 60_000 });
    await page.getByText(fi.portability.exportReady, { exact: true }).waitFor();

    const seen = await progressSeen(page);
    expect(seen.length, 'a progress bar was shown while the export ran').toBeGreaterThan(0);
    expect(seen.every((v) => /^\d+$/.test(v) && Number(v) >= 0 && Number(v) <= 100)).toBe(true);
    expect(socketEvents.some((f) => f.includes('"export.progress"'))).toBe(true);
    expect(socketEvents.some((f) => f.includes('"export.finished"'))).toBe(true);

    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^polku-demo\.pupil-\d{4}-\d{2}-\d{2}\.zip$/);
    const bytes = await readFile(await download.path());
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    const names = await zipEntryNames(bytes);
    expect(names).toContain(ARCHIVE_PATHS.site);
    expect(names).toContain(ARCHIVE_PATHS.document);

    await expectAccessible(page, 'pupil page with a finished export');

    // That very download, unpacked and opened from disk with the network off: every page by its links, every picture, the feedback.
    const dir = await mkdtemp(path.join(tmpdir(), 'polku-e2e-download-'));
    try {
      await unzipTo(bytes, dir);
      const doc = portfolioDocumentSchema.parse(JSON.parse(await readFile(path.join(dir, ARCHIVE_PATHS.document), 'utf8')));
      const walk = await walkOfflineSite(suite.browser, dir, { lang: 'fi' });
      expectCleanOfflineWalk(walk);
      // A page per project, per goal (its growth table) and per artefact, and the index.
      const goals = doc.projects.reduce((n, p) => n + p.goals.length, 0);
      expect(walk.pages).toHaveLength(1 + doc.projects.length + goals + doc.artefacts.length);
      expect(walk.commentsVisible, 'at least one feedback thread is visible').toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('imports a small LEAP2A file: upload, preview with its items, apply, report', async () => {
    const { page } = await session('demo.pupil');
    await page.goto('/pupil');
    await page.getByRole('navigation').getByRole('link', { name: fi.nav.import, exact: true }).click();
    await expectH1(page, fi.imports.heading);
    await expectAccessible(page, 'import page');

    await page
      .getByLabel(fi.imports.fileLabel)
      .setInputFiles({ name: 'leap2a.xml', mimeType: 'application/xml', buffer: Buffer.from(tinyLeap2a({ suffix: 'e2e' })) });
    await page.getByRole('button', { name: fi.imports.upload, exact: true }).click();
    await page.getByRole('heading', { name: fi.imports.previewHeading, exact: true }).waitFor({ timeout: 30_000 });
    const table = page.getByRole('table', { name: fi.imports.itemsCaption });
    await table.getByRole('rowheader', { name: 'Kevään lintuhavainnot e2e', exact: true }).waitFor();
    expect(await table.getByRole('row').count()).toBe(1 + 4);
    // Why, in Finnish: the reasons are worded from their codes, with the names and counts filled in.
    const why = async (title: string) =>
      (
        await table
          .getByRole('row')
          .filter({ has: page.getByRole('rowheader', { name: title, exact: true }) })
          .getByRole('cell')
          .last()
          .textContent()
      )?.trim();
    expect(await why('Luontoprojekti e2e')).toBe(fi.imports.reason['project-created_one']);
    expect(await why('Re: Kevään lintuhavainnot')).toBe(fill(fi.imports.reason['feedback-imported'], { author: 'Opettaja Olli' }));
    expect(await why('Liisa Lehtinen')).toBe(fi.imports.reason['learner-details']);
    expect(await table.textContent()).not.toMatch(/marked as imported|A project with/);
    await expectAccessible(page, 'import preview');

    await page.getByRole('button', { name: fill(fi.imports.apply_other, { count: 3 }), exact: true }).click();
    await page.getByRole('heading', { name: fi.imports.reportHeading, exact: true }).waitFor({ timeout: 60_000 });
    await page.getByText(fi.imports.reportDone, { exact: true }).waitFor();
    await page.getByRole('table', { name: fi.imports.reportCaption }).waitFor();
    await expectAccessible(page, 'import report');

    // The imported work is in the pupil's portfolio.
    await page.goto('/pupil');
    await page.getByRole('link', { name: 'Kevään lintuhavainnot e2e' }).first().waitFor({ timeout: 15_000 });
  });

  it('shows a rejected file as an error, and works at 320 px', async () => {
    const { page } = await session('demo.pupil', { width: 320 });
    await page.goto('/import');
    await expectH1(page, fi.imports.heading);
    await page.getByLabel(fi.imports.fileLabel).setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a portfolio') });
    await page.getByRole('button', { name: fi.imports.upload, exact: true }).click();
    // The refusal in Finnish, from its code: not the server's English sentence.
    const alert = page.getByRole('alert').filter({ hasText: fi.errors.import_rejected });
    await alert.waitFor({ timeout: 15_000 });
    expect((await alert.textContent())?.trim()).toBe(`${fi.errors.import_rejected} ${fi.imports.rejected['unknown-format']}`);
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.goto('/pupil');
    await page.getByRole('button', { name: fi.portability.exportAction, exact: true }).waitFor();
    expect(await overflowsHorizontally(page)).toBe(false);
  });
});
