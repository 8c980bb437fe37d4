import type { Request, Response } from 'express';
import type { PassportInstance } from '../../auth/passport.ts';
import { z } from 'zod';
import { loginRequestSchema, meResponseSchema, sessionResponseSchema, updateMeRequestSchema } from '../../../shared/api/auth.ts';
import { okSchema } from '../../../shared/api/common.ts';
import { HttpError } from '../../http/errors.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import type { usersService } from '../org/users.service.ts';
import type { AuthService, ActorFacts } from './auth.service.ts';
import type { loginLimiter } from './login-limiter.ts';

export interface AuthRouteDeps {
  auth: AuthService;
  users: ReturnType<typeof usersService>;
  limiter: ReturnType<typeof loginLimiter>;
  notifier: Notifier;
  cookieName: string;
  passport: PassportInstance;
}

const logoutRequestSchema = z.object({ everywhere: z.boolean().optional() }).strict();

function authenticateLocal(passport: PassportInstance, req: Request, res: Response): Promise<ActorFacts | false> {
  return new Promise((resolve, reject) => {
    passport.authenticate('local', { session: false }, (err: unknown, user: ActorFacts | false) => (err ? reject(err) : resolve(user)))(req, res, reject);
  });
}

export function authRoutes({ auth, users, limiter, notifier, cookieName, passport }: AuthRouteDeps): AnyRoute[] {
  const tag = 'Authentication';
  return [
    route({
      method: 'post',
      path: '/api/auth/login',
      tag,
      auth: 'public',
      summary: 'Sign in with a username and password; sets the session cookie (a new session id every time)',
      body: loginRequestSchema,
      response: meResponseSchema,
      handler: async ({ body, req, res }) => {
        const account = body.username.toLowerCase();
        const address = req.ip ?? 'unknown';
        // Reserved before the slow password check: parallel guesses are counted before any of them is verified.
        await limiter.reserve(account, address);
        const user = await authenticateLocal(passport, req, res);
        if (!user) {
          // One message for a wrong username and a wrong password alike.
          throw new HttpError(401, 'invalid_credentials', 'The username or password is not right.');
        }
        await limiter.succeed(account, address);
        // passport regenerates the session here, so a session id planted before sign-in is worthless.
        await new Promise<void>((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
        if (!(await auth.credentialsUnchanged(user))) {
          // The password was changed or the account deactivated during the check: this session must not live.
          await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
          res.clearCookie(cookieName, { path: '/' });
          throw new HttpError(401, 'invalid_credentials', 'The username or password is not right.');
        }
        await auth.recordSignIn(user.id, address);
        return users.me(user.id);
      },
    }),
    route({
      method: 'post',
      path: '/api/auth/logout',
      tag,
      auth: 'public',
      summary: "Sign out: ends this session (or, with everywhere=true, all of the user's sessions) and disconnects its sockets",
      body: logoutRequestSchema,
      response: okSchema,
      handler: async ({ body, req, res, actor }) => {
        const sid = req.sessionID;
        if (actor && body.everywhere) await auth.endUserSessions(actor.id, 'signed_out');
        await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
        notifier.endSessions([sid], 'signed_out');
        res.clearCookie(cookieName, { path: '/' });
        return { ok: true as const };
      },
    }),
    route({
      method: 'get',
      path: '/api/auth/session',
      tag: 'Me',
      auth: 'public',
      summary: 'The signed-in user as /api/me shows it, or null when signed out (200 either way)',
      response: sessionResponseSchema,
      handler: async ({ actor }) => ({ me: actor ? await users.me(actor.id, actor) : null }),
    }),
    route({
      method: 'get',
      path: '/api/me',
      tag: 'Me',
      auth: 'user',
      summary: 'The signed-in user, roles and schools (401 when signed out)',
      response: meResponseSchema,
      handler: ({ actor }) => users.me(actor.id, actor),
    }),
    route({
      method: 'patch',
      path: '/api/me',
      tag: 'Me',
      auth: 'user',
      summary: "Set the signed-in user's language",
      body: updateMeRequestSchema,
      response: meResponseSchema,
      handler: ({ actor, body }) => users.updateMe(actor, body.locale),
    }),
  ];
}
