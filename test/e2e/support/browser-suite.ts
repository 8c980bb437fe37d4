import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer } from './polku-server.ts';
import { CHROMIUM_ARGS, openSession, type Session } from './session.ts';

export interface BrowserSuite {
  /** The running server (available from the first test on). */
  readonly server: RunningServer;
  /** Debian's Chromium (available from the first test on). */
  readonly browser: Browser;
  /** A signed-in session, closed with the others after the file's tests. */
  session(username: string, options?: { width?: number; password?: string }): Promise<Session>;
}

/**
 * The Polku server and Chromium that a browser test file shares: started before its tests,
 * stopped after them together with every session opened through `session`.
 */
export function browserSuite(): BrowserSuite {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const sessions: Session[] = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`The ${what} is not started yet: use it inside a test.`);
    return value;
  };

  beforeAll(async () => {
    server = await startServer();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    for (const s of sessions) await s.context.close().catch(() => undefined);
    await browser?.close();
    if (server) await server.stop();
  });

  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    async session(username, options = {}) {
      const s = await openSession(started(browser, 'browser'), started(server, 'server').url, username, options);
      sessions.push(s);
      return s;
    },
  };
}
