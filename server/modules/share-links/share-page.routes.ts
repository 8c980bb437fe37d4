import express, { Router, type Request, type Response } from 'express';
import { sameOriginGuard } from '../../http/same-origin.ts';
import { UNAVAILABLE_HTML, passcodeHtml, sharedPageHtml, tooManyHtml } from './share-page.tsx';
import { pageLocale, type SharePageService } from './share-page.service.ts';

export const SHARE_PASS_COOKIE = 'polku.share';

export interface SharePageRouterDeps {
  pages: SharePageService;
  publicUrl: string;
  demo: boolean;
  secureCookies: boolean;
  timeZone: string;
}

/**
 * `GET /s/<token>`: a secret link's page, server-rendered, for anyone holding the link (issue 12 §4).
 * `POST /s/<token>` takes its passcode. No session, no JavaScript. The token is the credential: it is kept
 * out of logs (log-redaction.ts), out of Referer headers (no-referrer) and out of shared caches.
 */
export function sharePageRouter(deps: SharePageRouterDeps): Router {
  const { pages } = deps;
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    next();
  });
  router.use(sameOriginGuard(deps.publicUrl, deps.demo));
  router.use(express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 }));

  const send = (res: Response, status: number, html: string) => {
    res.status(status).send(html);
  };
  const unavailable = (res: Response) => send(res, 404, UNAVAILABLE_HTML);
  const address = (req: Request) => req.ip ?? 'unknown';

  router.get('/:token', async (req, res) => {
    const locale = pageLocale((...l) => req.acceptsLanguages(...l));
    if (!(await pages.mayLook(address(req)))) return send(res, 429, tooManyHtml(locale));
    const link = await pages.find(req.params.token);
    if (!link) return unavailable(res);
    if (!pages.hasPass(link, cookieOf(req, SHARE_PASS_COOKIE))) return send(res, 200, passcodeHtml(locale, false));
    const page = await pages.page(link, address(req), { count: req.method !== 'HEAD' });
    if (!page) return unavailable(res);
    send(res, 200, sharedPageHtml(locale, page, deps.timeZone));
  });

  router.post('/:token', async (req, res) => {
    const locale = pageLocale((...l) => req.acceptsLanguages(...l));
    if (!(await pages.mayLook(address(req)))) return send(res, 429, tooManyHtml(locale));
    const link = await pages.find(req.params.token);
    if (!link) return unavailable(res);
    const body: unknown = req.body;
    const passcode = typeof body === 'object' && body !== null && 'passcode' in body && typeof body.passcode === 'string' ? body.passcode : '';
    const outcome = link.passcodeHash ? await pages.tryPasscode(link, passcode, address(req)) : 'right';
    if (outcome === 'limited') return send(res, 429, tooManyHtml(locale));
    if (outcome === 'wrong') return send(res, 401, passcodeHtml(locale, true));
    const pass = pages.passCookie(link);
    res.cookie(SHARE_PASS_COOKIE, pass.value, {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secureCookies,
      maxAge: pass.maxAgeMs,
      // This link's address only: a pass for one link is never sent with another.
      path: req.baseUrl + req.path,
    });
    // Back to the page with a GET, so that reloading it does not post the passcode again.
    res.redirect(303, req.baseUrl + req.path);
  });
  return router;
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
