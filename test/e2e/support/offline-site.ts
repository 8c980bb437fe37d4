import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations } from './axe.ts';

/**
 * Opens an unpacked export (its index.html) from disk with the network off, and walks it the way
 * a reader would: from index.html, following every link to a page of the archive. Shared by the
 * browser test of the library's archive and the one of the archive downloaded from the page.
 */

export interface OfflineSiteWalk {
  /** Pages reached by following links, relative to the site's root, in the order visited. */
  pages: string[];
  imagesSeen: number;
  /** Teachers' feedback comments (`.comment#feedback-…`; peer feedback is apart) visible, over all pages. */
  commentsVisible: number;
  /** Every URL the pages requested. */
  requests: string[];
  /** Broken images, broken links, unreachable pages, axe violations: empty when all is well. */
  problems: string[];
}

export interface WalkOptions {
  /** The site's language: the `lang` of every page and the browser's locale. */
  lang: string;
  /** Extra checks on one page (its name relative to the root), after the common ones. */
  onPage?: (page: Page, name: string) => Promise<void>;
}

/** Every .html file under `root`, relative to it with forward slashes. */
async function htmlFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries
    .filter((n) => n.endsWith('.html'))
    .map((n) => n.split(path.sep).join('/'))
    .sort();
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

export async function walkOfflineSite(browser: Browser, root: string, options: WalkOptions): Promise<OfflineSiteWalk> {
  const context = await browser.newContext({ locale: options.lang });
  const walk: OfflineSiteWalk = { pages: [], imagesSeen: 0, commentsVisible: 0, requests: [], problems: [] };
  try {
    await context.setOffline(true);
    context.on('request', (request) => walk.requests.push(request.url()));
    // Anything that is not a file of the archive is refused, so nothing could come from elsewhere.
    await context.route(/^(?!file:)/, (route) => route.abort());
    const page = await context.newPage();
    const rootUrl = pathToFileURL(root + path.sep).href;
    const queue = ['index.html'];
    const queued = new Set(queue);
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      walk.pages.push(name);
      const response = await page.goto(new URL(name, rootUrl).href, { waitUntil: 'load' });
      expect(response === null || response.ok(), name).toBe(true);
      expect(await page.locator('html').getAttribute('lang'), name).toBe(options.lang);
      await expect.poll(() => page.locator('h1').count(), { message: `${name}: one h1` }).toBe(1);

      const images = await page.$$eval('img', (imgs) => imgs.map((img) => ({ src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0 })));
      for (const image of images) if (!image.loaded) walk.problems.push(`${name}: image ${image.src} did not load`);
      walk.imagesSeen += images.length;

      const comments = page.locator('.comment[id^="feedback-"]');
      for (let i = 0; i < (await comments.count()); i++) if (await comments.nth(i).isVisible()) walk.commentsVisible += 1;

      // Links: a page of the archive is walked next; any other file of the archive must exist; web links are left alone.
      const hrefs = await page.$$eval('a[href]', (links) => links.map((a) => (a as HTMLAnchorElement).href));
      for (const href of hrefs) {
        const url = new URL(href);
        if (url.protocol !== 'file:') continue;
        url.hash = '';
        if (!url.href.startsWith(rootUrl)) {
          walk.problems.push(`${name}: link ${href} leaves the archive`);
          continue;
        }
        if (!(await exists(fileURLToPath(url)))) walk.problems.push(`${name}: link ${href} points to no file`);
        const target = decodeURIComponent(url.href.slice(rootUrl.length));
        if (target.endsWith('.html') && !queued.has(target)) {
          queued.add(target);
          queue.push(target);
        }
      }

      await options.onPage?.(page, name);
      walk.problems.push(...(await axeViolations(page, name)));
    }
    for (const file of await htmlFiles(root)) if (!queued.has(file)) walk.problems.push(`${file}: no link leads to this page`);
  } finally {
    await context.close();
  }
  return walk;
}

/** The checks every offline walk must pass: nothing broken, some pictures, and no request that left the disk. */
export function expectCleanOfflineWalk(walk: OfflineSiteWalk): void {
  expect(walk.problems).toEqual([]);
  expect(walk.imagesSeen, 'pictures were shown').toBeGreaterThan(0);
  // The listener does see the page's own loads (pages, stylesheet, pictures), and nothing else.
  expect(walk.requests.filter((url) => url.endsWith('/site/style.css')).length).toBeGreaterThanOrEqual(walk.pages.length);
  expect(walk.requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
}
