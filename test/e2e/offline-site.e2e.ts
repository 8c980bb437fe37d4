import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { portfolioDocumentSchema, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { openDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { axeViolations } from './support/axe.ts';
import { CHROMIUM_ARGS } from './support/session.ts';

/** Unpacks every entry of the archive under `dir` (the archive is ours; names were checked by the integration test). */
function unzip(file: string, dir: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, strictFileNames: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(names));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr) return reject(streamErr);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            const target = path.join(dir, entry.fileName);
            mkdir(path.dirname(target), { recursive: true })
              .then(() => writeFile(target, Buffer.concat(chunks)))
              .then(() => {
                names.push(entry.fileName);
                zip.readEntry();
              }, reject);
          });
        });
      });
      zip.readEntry();
    });
  });
}

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
    await unzip(zipFile, path.join(dir, 'site'));
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
    const root = path.join(dir, 'site');
    const pages = ['index.html', ...(await readdir(path.join(root, 'site'))).filter((n) => n.endsWith('.html')).map((n) => `site/${n}`)];
    expect(pages).toHaveLength(1 + doc.projects.length + doc.artefacts.length);

    const context = await browser.newContext({ locale: 'fi-FI' });
    await context.setOffline(true);
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    // Anything that is not a file of the archive is refused, so nothing could come from elsewhere.
    await context.route(/^(?!file:)/, (route) => route.abort());
    const page = await context.newPage();
    const problems: string[] = [];
    let imagesSeen = 0;
    for (const name of pages) {
      const url = pathToFileURL(path.join(root, name)).href;
      const response = await page.goto(url, { waitUntil: 'load' });
      expect(response === null || response.ok(), name).toBe(true);
      expect(await page.locator('html').getAttribute('lang')).toBe('fi');
      await expect.poll(() => page.locator('h1').count()).toBe(1);

      const images = await page.$$eval('img', (imgs) => imgs.map((img) => ({ src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0 })));
      for (const image of images) if (!image.loaded) problems.push(`${name}: image ${image.src} did not load`);
      imagesSeen += images.length;

      const artefact = doc.artefacts.find((a) => name === `site/artefact-${a.id}.html`);
      if (artefact) {
        const comments = page.locator('.comment');
        expect(await comments.count(), name).toBe(artefact.feedback.length);
        for (let i = 0; i < artefact.feedback.length; i++) expect(await comments.nth(i).isVisible()).toBe(true);
        for (const f of artefact.feedback) await expect.poll(() => page.getByText(f.body.split('\n')[0] ?? '', { exact: false }).first().isVisible()).toBe(true);
        // Replies sit inside the thread of the feedback they answer.
        for (const f of artefact.feedback.filter((x) => x.parentId)) {
          expect(await page.locator(`li:has(> #feedback-${f.parentId}) ol.replies #feedback-${f.id}`).count(), `${name}: reply ${f.id}`).toBe(1);
        }
        const originals = artefact.media.filter((m) => m.kind === 'audio' && m.files.original);
        for (const m of originals) expect(await page.locator(`audio[controls][src="../${m.files.original?.path ?? ''}"]`).count()).toBe(1);
      }
      problems.push(...(await axeViolations(page, name)));
    }
    expect(problems).toEqual([]);
    expect(imagesSeen).toBeGreaterThanOrEqual(4);
    // The listener does see the page's own loads (pages, stylesheet, pictures), and nothing else.
    expect(requests.filter((url) => url.endsWith('/site/style.css')).length).toBeGreaterThanOrEqual(pages.length);
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    await context.close();
  });
});
