import { socketConnected } from './realtime.ts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectH1, fillSignIn, texts } from './ui.ts';

export const PASSWORD = 'polku-demo';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Session {
  username: string;
  context: BrowserContext;
  page: Page;
}

/**
 * A browser context signed in through the sign-in page, in Finnish, with its realtime connection
 * up (Socket.IO's connect packet "40…" has arrived) before it is handed over.
 */
export async function openSession(browser: Browser, baseURL: string, username: string, options: { width?: number; password?: string } = {}): Promise<Session> {
  const context = await browser.newContext({ baseURL, locale: 'fi-FI', viewport: { width: options.width ?? 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[browser ${username}] ${error.message}`));
  const connected = socketConnected(page);
  await page.goto('/sign-in');
  await expectH1(page, texts.fi.auth.heading);
  await fillSignIn(page, username, options.password ?? PASSWORD);
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await connected;
  return { username, context, page };
}

/** A mark in the page's JavaScript world: still there later means the page was not reloaded. */
export async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __polkuMark?: boolean }).__polkuMark = true;
  });
}
export async function wasNotReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __polkuMark?: boolean }).__polkuMark === true);
}

/** Status of a GET through the page (its cookies), without following redirects. */
export async function statusOf(page: Page, path: string): Promise<number> {
  return page.evaluate(async (p) => {
    const response = await fetch(p, { credentials: 'same-origin', redirect: 'manual' });
    // A redirect is opaque to scripts (status 0): report it as 302.
    return response.type === 'opaqueredirect' ? 302 : response.status;
  }, path);
}

/** JSON of a request through the page, so that it carries the session cookie and the page's Origin. */
export async function apiJson<T>(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const response = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json().catch(() => null)) as T };
    },
    { method, path, body },
  );
}

/** The bytes (and content type) behind a URL as this page's user downloads it, redirects followed. */
export async function download(page: Page, url: string): Promise<{ status: number; type: string; bytes: Buffer }> {
  const result = await page.evaluate(async (u) => {
    const response = await fetch(u, { credentials: 'same-origin' });
    const buffer = new Uint8Array(await response.arrayBuffer());
    let binary = '';
    for (let i = 0; i < buffer.length; i += 0x8000) binary += String.fromCharCode(...buffer.subarray(i, i + 0x8000));
    return { status: response.status, type: response.headers.get('content-type') ?? '', base64: btoa(binary) };
  }, url);
  return { status: result.status, type: result.type, bytes: Buffer.from(result.base64, 'base64') };
}

/** Every image address a page shows or links to: <img src>, and links to media files. */
export async function imageUrlsOn(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const urls = [
      ...Array.from(document.querySelectorAll('img'), (img) => img.getAttribute('src') ?? ''),
      ...Array.from(document.querySelectorAll('a[href*="/api/media/"]'), (a) => a.getAttribute('href') ?? ''),
    ];
    return [...new Set(urls.filter((u) => u && !u.startsWith('data:') && !u.startsWith('blob:')))];
  });
}
