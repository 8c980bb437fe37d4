import os from 'node:os';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The origins Polku's own pages may have: PUBLIC_URL's. In demo mode (one machine, tried out on
 * a laptop or a classroom network) also loopback and this machine's own addresses on the same port,
 * so opening http://127.0.0.1:3000 or the LAN address works as well as http://localhost:3000.
 */
export function allowedOrigins(publicUrl: string, demo: boolean): ReadonlySet<string> {
  const url = new URL(publicUrl);
  const origins = new Set([url.origin]);
  if (!demo) return origins;
  const hosts = ['localhost', '127.0.0.1', '[::1]'];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const info of list ?? []) hosts.push(info.family === 'IPv6' ? `[${info.address.split('%')[0]}]` : info.address);
  }
  for (const host of hosts) origins.add(`${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
  return origins;
}

/** The error for a page opened at another address of this same server: say which address to use. */
export function wrongOrigin(publicUrl: string, origin: string): HttpError {
  const expected = new URL(publicUrl).origin;
  const error = new HttpError(
    403,
    'wrong_origin',
    `Open Polku at ${expected}: this page was opened at ${origin}, an address Polku is not set up for, so signing in cannot work here.`,
  );
  error.reason = 'wrong_origin';
  error.reasonParams = { expected, origin };
  return error;
}

/**
 * Cross-site request forgery guard for state-changing requests: a browser always sends
 * `Sec-Fetch-Site` or `Origin`, and they must say the request came from Polku's own pages.
 * Requests with neither (curl, scripts, server-to-server) are not browser-driven and pass.
 * A page of this very server opened at an address other than PUBLIC_URL gets `wrong_origin`.
 */
export function sameOriginGuard(publicUrl: string, demo = false): RequestHandler {
  const allowed = allowedOrigins(publicUrl, demo);
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    if (origin !== undefined && !allowed.has(origin)) {
      // The browser says same-origin, or the page's host is the one this request was sent to:
      // Polku's own page, opened at an address it does not expect.
      if (site === 'same-origin' || hostOf(origin) === req.get('host')) return next(wrongOrigin(publicUrl, origin));
      return next(new HttpError(403, 'cross_site_request', 'This request came from another site and was refused.'));
    }
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return next(new HttpError(403, 'cross_site_request', 'This request came from another site and was refused.'));
    }
    next();
  };
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}
