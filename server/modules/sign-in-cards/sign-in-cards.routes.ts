import { narrowForCard } from '../../auth/policy.ts';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { meResponseSchema } from '../../../shared/api/auth.ts';
import { groupParamsSchema, schoolParamsSchema } from '../../../shared/api/org.ts';
import {
  cardSettingsSchema,
  cardSignInRequestSchema,
  groupCardsResponseSchema,
  issuedCardsResponseSchema,
  issueGroupCardsRequestSchema,
  issueSchoolCardsRequestSchema,
  revokeCardsRequestSchema,
  revokedCardsResponseSchema,
  updateCardSettingsRequestSchema,
  type IssuedCardsResponse,
} from '../../../shared/api/sign-in-cards.ts';
import { HttpError } from '../../http/errors.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { loginLimiter } from '../auth/login-limiter.ts';
import type { usersService } from '../org/users.service.ts';
import { cardsPdf } from './card-pdf.ts';
import type { SignInCardsService } from './sign-in-cards.service.ts';

export interface SignInCardRouteDeps {
  cards: SignInCardsService;
  auth: AuthService;
  users: ReturnType<typeof usersService>;
  limiter: ReturnType<typeof loginLimiter>;
  cookieName: string;
}

/** One answer for every card that does not work: unknown, revoked, another school's, outside hours … */
const cardRefused = () => new HttpError(401, 'invalid_credentials', 'This sign-in card does not work. Ask your teacher for a new card.');

function logIn(req: Request, user: Express.User): Promise<void> {
  return new Promise((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
}
function save(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}
function destroy(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}

async function sendCards(res: Response, issued: IssuedCardsResponse, format: 'json' | 'pdf'): Promise<IssuedCardsResponse> {
  // Codes are shown once: no cache may keep them.
  res.setHeader('Cache-Control', 'no-store');
  if (format === 'json') return issued;
  const bytes = await cardsPdf(issued);
  res.status(201).type('application/pdf').setHeader('Content-Disposition', 'attachment; filename="polku-sign-in-cards.pdf"');
  res.end(Buffer.from(bytes));
  return issued;
}

export function signInCardRoutes({ cards, auth, users, limiter, cookieName }: SignInCardRouteDeps): AnyRoute[] {
  const tag = 'Sign-in cards';
  return [
    route({
      method: 'post',
      path: '/api/auth/card',
      tag: 'Authentication',
      auth: 'public',
      summary: "Sign in with a pupil's QR sign-in card (its code); sets the session cookie. Every card that does not work gets the same 401",
      body: cardSignInRequestSchema,
      response: meResponseSchema,
      handler: async ({ body, req, res }) => {
        const address = req.ip ?? 'unknown';
        // Counted like password sign-ins, in the same per-address budget; the "account" is a short hash of
        // the code (never the code), so one mistyped card is limited without a whole class sharing one count.
        const account = `card:${createHash('sha256').update(body.cardCode).digest('hex').slice(0, 16)}`;
        await limiter.reserve(account, address);
        const card = await cards.verify(body.cardCode);
        const user = card ? await auth.loadActor(card.userId) : null;
        if (!card || !user) throw cardRefused();
        await limiter.succeed(account, address);
        // A new session id (passport regenerates), marked as a card session: policy.ts narrows what it may do.
        await logIn(req, user);
        req.session.signInCard = { cardId: card.cardId, schoolId: card.schoolId };
        await save(req);
        if (!(await cards.stillLive(card)) || !(await auth.loadActor(card.userId))) {
          // Revoked or deactivated while this session was made: it must not live.
          await destroy(req);
          res.clearCookie(cookieName, { path: '/' });
          throw cardRefused();
        }
        await cards.recordUse(card, address);
        return users.me(user.id, narrowForCard({ ...user, sessionId: req.sessionID }, card.schoolId));
      },
    }),
    route({
      method: 'get',
      path: '/api/groups/:groupId/sign-in-cards',
      tag,
      auth: 'user',
      summary: "The group's active pupils and whether each has a working card (the group's teachers and the school's admins)",
      params: groupParamsSchema,
      response: groupCardsResponseSchema,
      handler: ({ actor, params }) => cards.listGroup(actor, params.groupId),
    }),
    route({
      method: 'post',
      path: '/api/groups/:groupId/sign-in-cards',
      tag,
      auth: 'user',
      status: 201,
      summary: "Print new cards for the group's pupils (all, or those named) as JSON or a PDF; their earlier cards stop working",
      params: groupParamsSchema,
      body: issueGroupCardsRequestSchema,
      response: issuedCardsResponseSchema,
      handler: async ({ actor, params, body, req, res }) =>
        sendCards(res, await cards.issueForGroup(actor, params.groupId, body.pupilIds, req.ip ?? null), body.format),
    }),
    route({
      method: 'post',
      path: '/api/groups/:groupId/sign-in-cards/revoke',
      tag,
      auth: 'user',
      summary: "Revoke the cards of the group's pupils (all, or those named); sessions opened with them end",
      params: groupParamsSchema,
      body: revokeCardsRequestSchema,
      response: revokedCardsResponseSchema,
      handler: async ({ actor, params, body, req }) => ({ revoked: await cards.revokeForGroup(actor, params.groupId, body.pupilIds, req.ip ?? null) }),
    }),
    route({
      method: 'post',
      path: '/api/schools/:schoolId/sign-in-cards',
      tag,
      auth: 'user',
      status: 201,
      summary: "Print new cards for pupils of the school chosen in the admin's user list, as JSON or a PDF",
      params: schoolParamsSchema,
      body: issueSchoolCardsRequestSchema,
      response: issuedCardsResponseSchema,
      handler: async ({ actor, params, body, req, res }) =>
        sendCards(res, await cards.issueForSchool(actor, params.schoolId, body.pupilIds, req.ip ?? null), body.format),
    }),
    route({
      method: 'get',
      path: '/api/schools/:schoolId/sign-in-cards/settings',
      tag,
      auth: 'user',
      summary: "The school's card sign-in hours (in the school's time zone)",
      params: schoolParamsSchema,
      response: cardSettingsSchema,
      handler: ({ actor, params }) => cards.settings(actor, params.schoolId),
    }),
    route({
      method: 'put',
      path: '/api/schools/:schoolId/sign-in-cards/settings',
      tag,
      auth: 'user',
      summary: "Set the school's card sign-in hours, or clear them (cards work at any time)",
      params: schoolParamsSchema,
      body: updateCardSettingsRequestSchema,
      response: cardSettingsSchema,
      handler: ({ actor, params, body, req }) => cards.updateSettings(actor, params.schoolId, body, req.ip ?? null),
    }),
  ];
}
