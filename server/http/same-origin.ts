import type { RequestHandler } from 'express';
import { HttpError } from './errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery guard for state-changing requests: a browser always sends
 * `Sec-Fetch-Site` or `Origin`, and they must say the request came from Polku's own pages.
 * Requests with neither (curl, scripts, server-to-server) are not browser-driven and pass.
 */
export function sameOriginGuard(publicUrl: string): RequestHandler {
  const allowedOrigin = new URL(publicUrl).origin;
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    const crossSite = (site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && origin !== allowedOrigin);
    if (crossSite) {
      return next(new HttpError(403, 'cross_site_request', 'This request came from another site and was refused.'));
    }
    next();
  };
}
