import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { idSchema } from '../../../shared/api/common.ts';
import {
  createLinkCodeRequestSchema,
  linkCodeResponseSchema,
  schoolSignInSettingsSchema,
  ssoLogoutResponseSchema,
  ssoProvidersResponseSchema,
  updateSchoolSignInRequestSchema,
} from '../../../shared/api/sso.ts';
import { signInAfterCheck, type SignInDeps } from '../../auth/sign-in.ts';
import { TooManyRequests } from '../../http/errors.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import type { loginLimiter } from '../auth/login-limiter.ts';
import { SsoRefusal, type SsoRefusalCode } from './sso.claims.ts';
import type { SsoService } from './sso.service.ts';

declare module 'express-session' {
  interface SessionData {
    /** The provider this session was signed in through (its sign-out is offered at sign-out). */
    ssoProvider?: string;
  }
}

const BROWSER_COOKIE = 'polku.sso';
const schoolParams = z.object({ schoolId: idSchema });
const userParams = z.object({ userId: idSchema });
const startQuery = z.object({ link: z.string().max(40).optional() });

export interface SsoRouteDeps {
  sso: SsoService;
  notifier: Notifier;
  cookieName: string;
  publicUrl: string;
}

export function ssoRoutes({ sso, notifier, cookieName, publicUrl }: SsoRouteDeps): AnyRoute[] {
  const tag = 'School sign-in';
  return [
    route({
      method: 'get',
      path: '/api/sso/providers',
      tag,
      auth: 'public',
      summary: 'The OpenID Connect providers configured for sign-in (an empty list: no provider buttons)',
      response: ssoProvidersResponseSchema,
      handler: async () => ({ providers: sso.providers() }),
    }),
    route({
      method: 'post',
      path: '/api/sso/logout',
      tag,
      auth: 'public',
      summary: "Sign out of Polku (this session) and, when the session came from a provider with a sign-out, offer the provider's",
      response: ssoLogoutResponseSchema,
      handler: async ({ req, res }) => {
        const sid = req.sessionID;
        const provider = req.session?.ssoProvider;
        await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
        notifier.endSessions([sid], 'signed_out');
        res.clearCookie(cookieName, { path: '/' });
        return { ok: true as const, providerLogout: provider ? await sso.endSessionUrl(provider, `${publicUrl}/sign-in`) : null };
      },
    }),
    route({
      method: 'get',
      path: '/api/schools/:schoolId/sign-in',
      tag,
      auth: 'user',
      summary: "A school's sign-in settings: each provider's mode and whether passwords work (the school's admins)",
      params: schoolParams,
      response: schoolSignInSettingsSchema,
      handler: ({ actor, params }) => sso.settings(actor, params.schoolId),
    }),
    route({
      method: 'put',
      path: '/api/schools/:schoolId/sign-in',
      tag,
      auth: 'user',
      summary: "Set a school's sign-in: per provider off, rostered users only, or accounts created at first sign-in; password sign-in on or off",
      params: schoolParams,
      body: updateSchoolSignInRequestSchema,
      response: schoolSignInSettingsSchema,
      handler: ({ actor, params, body, req }) => sso.updateSettings(actor, params.schoolId, body, req.ip ?? null),
    }),
    route({
      method: 'post',
      path: '/api/users/:userId/sso-link-codes',
      tag,
      auth: 'user',
      summary: "A one-time code (valid 14 days) that links the user's first provider sign-in to this account; replaces an older one",
      params: userParams,
      body: createLinkCodeRequestSchema,
      response: linkCodeResponseSchema,
      status: 201,
      handler: ({ actor, params, body, req }) => sso.createLinkCode(actor, params.userId, body.schoolId, req.ip ?? null),
    }),
  ];
}

export interface SsoSignInRouterDeps {
  sso: SsoService;
  limiter: ReturnType<typeof loginLimiter>;
  signIn: SignInDeps;
  publicUrl: string;
  secureCookies: boolean;
  logger: Logger;
}

/**
 * The browser's way through a provider: /auth/sso/<provider>/start redirects there, the provider sends it
 * back to /auth/sso/<provider>/callback. Outside /api, because the callback is a GET that signs in (the
 * app mounts this router with express-session and passport). Every refusal ends on the sign-in page with
 * a code, and without a session.
 */
export function ssoSignInRouter({ sso, limiter, signIn, publicUrl, secureCookies, logger }: SsoSignInRouterDeps): Router {
  const router = Router();
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: secureCookies, path: '/auth/sso' };
  const refuse = (res: Response, code: SsoRefusalCode) => {
    res.clearCookie(BROWSER_COOKIE, cookieOptions);
    res.redirect(303, `/sign-in?sso_error=${code}`);
  };

  router.get('/:provider/start', async (req: Request<{ provider: string }>, res, next) => {
    try {
      const query = startQuery.safeParse(req.query);
      // A link code ties the provider identity that signs in next to the code's account. Only Polku's own page
      // (or a typed address) may start such a sign-in: another site could otherwise send a classmate through
      // the provider with the sender's code, and link the classmate's identity to the sender's account.
      const site = req.get('sec-fetch-site');
      if (query.success && query.data.link && site !== undefined && site !== 'same-origin' && site !== 'none')
        throw new SsoRefusal('failed', 'A sign-in with a link code was started from another site.');
      const { url, browserToken } = await sso.start(
        req.params.provider,
        redirectUri(publicUrl, req.params.provider),
        query.success ? query.data.link : undefined,
      );
      res.cookie(BROWSER_COOKIE, browserToken, { ...cookieOptions, maxAge: 10 * 60_000 });
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, url);
    } catch (err) {
      if (err instanceof SsoRefusal) return refuse(res, err.code);
      // The provider cannot be reached (discovery failed): say so on the sign-in page, log the reason.
      if (!(err instanceof Error && 'status' in err)) {
        logger.warn({ err, provider: req.params.provider }, 'sign-in provider could not be reached');
        return refuse(res, 'failed');
      }
      next(err);
    }
  });

  router.get('/:provider/callback', async (req: Request<{ provider: string }>, res, next) => {
    const address = req.ip ?? 'unknown';
    const account = `sso:${req.params.provider}`;
    try {
      await limiter.reserve(account, address);
      const currentUrl = new URL(req.originalUrl, publicUrl);
      const { userId, provider } = await sso.finish(req.params.provider, currentUrl, cookieValue(req, BROWSER_COOKIE));
      const user = await signIn.loadActor(userId);
      if (!user) throw new SsoRefusal('unknown_user', 'The account is not active.');
      if (!(await signInAfterCheck(req, user, signIn, { method: 'sso', details: { provider: provider.id }, extra: { ssoProvider: provider.id } })))
        throw new SsoRefusal('unknown_user', 'The account is not active.');
      await limiter.succeed(account, address);
      res.clearCookie(BROWSER_COOKIE, cookieOptions);
      res.redirect(303, '/');
    } catch (err) {
      if (err instanceof TooManyRequests) return refuse(res, 'rate_limited');
      if (err instanceof SsoRefusal) {
        logger.info({ provider: req.params.provider, code: err.code, reason: err.message }, 'provider sign-in refused');
        return refuse(res, err.code);
      }
      if (isProtocolError(err)) {
        // openid-client's checks (issuer, audience, nonce, signature, expired or used code, …) failed.
        logger.warn(
          { provider: req.params.provider, reason: (err as Error).message, code: (err as { code?: unknown }).code },
          'provider sign-in failed its checks',
        );
        return refuse(res, 'failed');
      }
      next(err);
    }
  });
  return router;
}

export const redirectUri = (publicUrl: string, providerId: string) => `${publicUrl}/auth/sso/${encodeURIComponent(providerId)}/callback`;

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Errors of openid-client / oauth4webapi (they carry a string code such as OAUTH_JWT_CLAIM_COMPARISON_FAILED). */
function isProtocolError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (
    (typeof code === 'string' && /^(OAUTH_|ERR_JW|ERR_JOSE|ERR_JWKS)/.test(code)) ||
    err.name === 'ResponseBodyError' ||
    err.name === 'AuthorizationResponseError'
  );
}
