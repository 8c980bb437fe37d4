import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedOrigins } from '../../server/http/same-origin.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Polku opened at another address of the same server (127.0.0.1 or a LAN address instead of
 * PUBLIC_URL): sign-in says which address to use instead of a misleading "another site" refusal;
 * in demo mode loopback and this machine's own addresses on the same port simply work.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

const signIn = (target: TestApp, origin: string, site: string) =>
  target.client().request('POST', '/api/auth/login', { username: 'nobody', password: 'x' }, { origin, 'sec-fetch-site': site });

describe('the address Polku expects', () => {
  it('names the expected address when the page was opened at another address of this server', async () => {
    const port = new URL(app.url).port;
    const res = await signIn(app, `http://localhost:${port}`, 'same-origin');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      error: {
        code: 'wrong_origin',
        message: expect.stringContaining(`Open Polku at ${app.config.publicUrl}`),
        reasonParams: { expected: app.config.publicUrl },
      },
    });
  });

  it('still refuses another site as cross-site', async () => {
    const res = await signIn(app, 'https://evil.example', 'cross-site');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'cross_site_request' } });
  });

  it('in demo mode accepts loopback and this machine’s own addresses on the same port', { timeout: 120_000 }, async () => {
    const publicUrl = 'http://localhost:3999';
    const origins = allowedOrigins(publicUrl, true);
    expect(origins.has('http://127.0.0.1:3999')).toBe(true);
    expect(origins.has('http://[::1]:3999')).toBe(true);
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (lan) expect(origins.has(`http://${lan.address}:3999`)).toBe(true);
    expect(origins.has('http://127.0.0.1:4000')).toBe(false);
    expect(allowedOrigins(publicUrl, false)).toEqual(new Set([publicUrl]));

    // A real demo server: PUBLIC_URL says localhost, the page was opened at 127.0.0.1.
    const demo = await startTestApp({ env: { DEMO: 'true' } });
    try {
      const res = await signIn(demo, `http://localhost:${new URL(demo.url).port}`, 'same-origin');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'invalid_credentials' } });
      expect((await signIn(demo, `http://localhost:${Number(new URL(demo.url).port) + 1}`, 'same-site')).status).toBe(403);
    } finally {
      await demo.close();
    }
  });
});
