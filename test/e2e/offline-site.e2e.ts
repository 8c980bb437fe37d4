import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portfolioDocumentSchema, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { openDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { unzipTo } from '../helpers/zip.ts';
import { expectCleanOfflineWalk, walkOfflineSite } from './support/offline-site.ts';
import { CHROMIUM_ARGS } from './support/session.ts';

describe('the exported portfolio opens from disk, offline, in a browser', () => {
  let database: DatabaseHandle;
  let app: TestApp;
  let browser: Browser;
  let dir: string;
  let doc: PortfolioDocument;

  beforeAll(async () => {
    // The demo school and its living portfolio (photos, a voice note, feedback threads), seeded by the real services.
    database = await openDatabase({ kind: 'pglite', dir: null });
    app = await startTestApp({ database, env: { DEMO: 'true' } });
    const pupil = await database.db.selectFrom('users').select('id').where('username', '=', 'demo.pupil').executeTakeFirstOrThrow();
    dir = await mkdtemp(path.join(tmpdir(), 'polku-offline-site-'));
    const zipFile = path.join(dir, 'portfolio.zip');
    await writeExportArchive({ db: database.db, blobs: app.polku.blobs, pupilId: pupil.id, scope: 'full', locale: 'fi' }, createWriteStream(zipFile));
    await unzipTo(zipFile, path.join(dir, 'site'));
    doc = portfolioDocumentSchema.parse(JSON.parse(await readFile(path.join(dir, 'site', 'portfolio.json'), 'utf8')));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows every page, picture and feedback thread with the network off, axe-clean', async () => {
    expect(doc.artefacts.length).toBeGreaterThanOrEqual(3);
    expect(doc.artefacts.some((a) => a.feedback.some((f) => f.parentId))).toBe(true);
    const walk = await walkOfflineSite(browser, path.join(dir, 'site'), {
      lang: 'fi',
      async onPage(page, name) {
        const artefact = doc.artefacts.find((a) => name === `site/artefact-${a.id}.html`);
        if (!artefact) return;
        // Teachers' feedback threads; peer feedback (issue 10 §5) is a section of its own, as `peer-…` comments.
        const comments = page.locator('.comment[id^="feedback-"]');
        expect(await comments.count(), name).toBe(artefact.feedback.length);
        for (let i = 0; i < artefact.feedback.length; i++) expect(await comments.nth(i).isVisible()).toBe(true);
        for (const f of artefact.feedback)
          await expect
            .poll(() =>
              page
                .getByText(f.body.split('\n')[0] ?? '', { exact: false })
                .first()
                .isVisible(),
            )
            .toBe(true);
        // Replies sit inside the thread of the feedback they answer.
        for (const f of artefact.feedback.filter((x) => x.parentId)) {
          expect(await page.locator(`li:has(> #feedback-${f.parentId}) ol.replies #feedback-${f.id}`).count(), `${name}: reply ${f.id}`).toBe(1);
        }
        const originals = artefact.media.filter((m) => m.kind === 'audio' && m.files.original);
        for (const m of originals) expect(await page.locator(`audio[controls][src="../${m.files.original?.path ?? ''}"]`).count()).toBe(1);
      },
    });
    expectCleanOfflineWalk(walk);
    // Every page was reached by following links from index.html.
    // (Goal pages too, with the growth table: issue 10 §8.)
    const goals = doc.projects.reduce((n, p) => n + p.goals.length, 0);
    expect(walk.pages).toHaveLength(1 + doc.projects.length + goals + doc.artefacts.length);
    expect(walk.imagesSeen).toBeGreaterThanOrEqual(4);
    expect(walk.commentsVisible).toBe(doc.artefacts.reduce((n, a) => n + a.feedback.length, 0));
  });
});
