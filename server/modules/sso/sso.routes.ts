import express, { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { idSchema } from '../../../shared/api/common.ts';
import {
  createLinkCodeRequestSchema,
  linkCodeResponseSchema,
  schoolSignInSettingsSchema,
  ssoLogoutResponseSchema,
  ssoProvidersResponseSchema,
  ssoStartFormSchema,
  updateSchoolSignInRequestSchema,
} from '../../../shared/api/sso.ts';
import { signInAfterCheck, type SignInDeps } from '../../auth/sign-in.ts';
import { Forbidden, HttpError, TooManyRequests } from '../../http/errors.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import type { loginLimiter } from '../auth/login-limiter.ts';
import type { AttemptLimiter } from '../invitations/attempt-limiter.ts';
import type { IdentityAccount } from '../invitations/invitations.service.ts';
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
  /** Sign-ins started, per address: each start writes a row and sends the browser to the provider. */
  startLimiter: AttemptLimiter;
  /** The invitations module's acceptance, into the account a provider identity gives; the guardian's id. */
  acceptInvitation: (codeHash: string, account: IdentityAccount, address: string) => Promise<string>;
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
export function ssoSignInRouter({ sso, limiter, startLimiter, acceptInvitation, signIn, publicUrl, secureCookies, logger }: SsoSignInRouterDeps): Router {
  const router = Router();
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: secureCookies, path: '/auth/sso' };
  const ownOrigin = new URL(publicUrl).origin;
  const refuse = (res: Response, code: SsoRefusalCode, page: '/sign-in' | '/invitation' = '/sign-in') => {
    res.clearCookie(BROWSER_COOKIE, cookieOptions);
    res.redirect(303, `${page}?sso_error=${code}`);
  };

  async function begin(
    req: Request<{ provider: string }>,
    res: Response,
    next: (err: unknown) => void,
    purpose: { linkCode?: string; invitationCode?: string },
  ) {
    try {
      await startLimiter.consumeAddress(req.ip ?? 'unknown');
      const { url, browserToken } = await sso.start(req.params.provider, redirectUri(publicUrl, req.params.provider), purpose);
      res.cookie(BROWSER_COOKIE, browserToken, { ...cookieOptions, maxAge: 10 * 60_000 });
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, url);
    } catch (err) {
      if (err instanceof TooManyRequests) return refuse(res, 'rate_limited');
      if (err instanceof SsoRefusal) return refuse(res, err.code);
      // The provider cannot be reached (discovery failed): say so on the sign-in page, log the reason.
      if (!(err instanceof Error && 'status' in err)) {
        logger.warn({ err, provider: req.params.provider }, 'sign-in provider could not be reached');
        return refuse(res, 'failed');
      }
      next(err);
    }
  }

  // A plain sign-in: a link from anywhere (a school's own site may have a sign-in button). Codes never come
  // by GET: a URL is kept in logs and histories, so a link code or invitation there is refused.
  router.get('/:provider/start', async (req: Request<{ provider: string }>, res, next) => {
    if ('link' in req.query || 'invitation' in req.query) return refuse(res, 'failed');
    await begin(req, res, next, {});
  });

  // A sign-in carrying a link code or an invitation, posted by Polku's own form. Only Polku's own page may start
  // one: another site could otherwise send a classmate through the provider with the sender's code, and link
  // the classmate's identity to the sender's account.
  router.post(
    '/:provider/start',
    express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 10 }),
    async (req: Request<{ provider: string }>, res, next) => {
      const site = req.get('sec-fetch-site');
      const origin = req.get('origin');
      if (site !== undefined && site !== 'same-origin' && site !== 'none') return refuse(res, 'failed');
      if (site === undefined && origin !== undefined && origin !== ownOrigin) return refuse(res, 'failed');
      const form = ssoStartFormSchema.safeParse(req.body ?? {});
      if (!form.success) return refuse(res, 'failed');
      await begin(req, res, next, {
        ...(form.data.link ? { linkCode: form.data.link } : {}),
        ...(form.data.invitation ? { invitationCode: form.data.invitation } : {}),
      });
    },
  );

  router.get('/:provider/callback', async (req: Request<{ provider: string }>, res, next) => {
    const address = req.ip ?? 'unknown';
    const account = `sso:${req.params.provider}`;
    // A refusal of a sign-in that was accepting an invitation is shown on the invitation page.
    let page: '/sign-in' | '/invitation' = '/sign-in';
    try {
      await limiter.reserve(account, address);
      const currentUrl = new URL(req.originalUrl, publicUrl);
      const pending = await sso.takeLogin(req.params.provider, currentUrl, cookieValue(req, BROWSER_COOKIE));
      if (pending.invitationCodeHash) page = '/invitation';
      const outcome = await sso.complete(pending, currentUrl);
      const userId =
        outcome.kind === 'invitation' ? await acceptInvitation(outcome.invitationCodeHash, outcome.account, address).catch(invitationRefusal) : outcome.userId;
      const user = await signIn.loadActor(userId);
      if (!user) throw new SsoRefusal('unknown_user', 'The account is not active.');
      const provider = pending.provider;
      if (!(await signInAfterCheck(req, user, signIn, { method: 'sso', details: { provider: provider.id }, extra: { ssoProvider: provider.id } })))
        throw new SsoRefusal('unknown_user', 'The account is not active.');
      await limiter.succeed(account, address);
      res.clearCookie(BROWSER_COOKIE, cookieOptions);
      res.redirect(303, outcome.kind === 'invitation' ? '/guardian' : '/');
    } catch (err) {
      if (err instanceof TooManyRequests) return refuse(res, 'rate_limited', page);
      if (err instanceof SsoRefusal) {
        logger.info({ provider: req.params.provider, code: err.code, reason: err.message }, 'provider sign-in refused');
        return refuse(res, err.code, page);
      }
      if (isProtocolError(err)) {
        // openid-client's checks (issuer, audience, nonce, signature, expired or used code, …) failed.
        logger.warn(
          { provider: req.params.provider, reason: (err as Error).message, code: (err as { code?: unknown }).code },
          'provider sign-in failed its checks',
        );
        return refuse(res, 'failed', page);
      }
      next(err);
    }
  });
  return router;
}

/** The invitations module's refusals, as the codes the invitation page shows (nothing was written: one transaction). */
function invitationRefusal(err: unknown): never {
  if (err instanceof TooManyRequests) throw err;
  if (err instanceof Forbidden) throw new SsoRefusal('not_guardian', err.message);
  if (err instanceof HttpError) {
    const code = err.reason === 'invitation_expired' ? 'invitation_expired' : err.reason === 'invitation_used' ? 'invitation_used' : 'invitation_invalid';
    throw new SsoRefusal(err.reason ? code : 'failed', err.message);
  }
  throw err;
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
