import { z } from 'zod';
import { meResponseSchema } from '../../../shared/api/auth.ts';
import { idSchema, okSchema } from '../../../shared/api/common.ts';
import {
  acceptInvitationRequestSchema,
  bulkInvitationsRequestSchema,
  bulkInvitationsResponseSchema,
  confirmPasswordResetSchema,
  createInvitationsRequestSchema,
  invitationLettersSchema,
  invitationListSchema,
  invitationSchema,
  mailStatusSchema,
  MAX_BULK_INVITATIONS,
  openInvitationRequestSchema,
  openInvitationResponseSchema,
  requestPasswordResetSchema,
  resendInvitationRequestSchema,
  setPupilPasswordSchema,
} from '../../../shared/api/invitations.ts';
import { HttpError, Unauthenticated } from '../../http/errors.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { AuthService, ActorFacts } from '../auth/auth.service.ts';
import type { loginLimiter } from '../auth/login-limiter.ts';
import type { usersService } from '../org/users.service.ts';
import type { AcceptAccount, InvitationsService } from './invitations.service.ts';
import type { PasswordResetService } from './password-reset.service.ts';

export interface InvitationRouteDeps {
  invitations: InvitationsService;
  resets: PasswordResetService;
  auth: AuthService;
  users: ReturnType<typeof usersService>;
  limiter: ReturnType<typeof loginLimiter>;
}

const invitationParams = z.object({ invitationId: idSchema });
const pupilParams = z.object({ pupilId: idSchema });
const groupParams = z.object({ groupId: idSchema });
const schoolParams = z.object({ schoolId: idSchema });

export function invitationRoutes({ invitations, resets, auth, users, limiter }: InvitationRouteDeps): AnyRoute[] {
  const tag = 'Guardian invitations';
  return [
    route({
      method: 'get',
      path: '/api/mail-status',
      tag,
      auth: 'public',
      summary: 'Whether this Polku sends e-mail (without it: printed letters and resets by an admin or teacher)',
      response: mailStatusSchema,
      handler: () => Promise.resolve({ email: invitations.mailConfigured() }),
    }),
    route({
      method: 'post',
      path: '/api/guardian-invitations',
      tag,
      auth: 'user',
      summary: "Invite a pupil's guardians, or those of every pupil of a group (an admin or the pupil's teacher): returns the letters",
      body: createInvitationsRequestSchema,
      response: invitationLettersSchema,
      status: 201,
      handler: ({ actor, body, req }) => invitations.create(actor, body, req.ip),
    }),
    route({
      method: 'post',
      path: '/api/schools/:schoolId/guardian-invitations',
      tag,
      auth: 'user',
      summary: `Invite the guardians of pupils chosen in the admin's user list (at most ${MAX_BULK_INVITATIONS}): returns the letters and how many were left out`,
      params: schoolParams,
      body: bulkInvitationsRequestSchema,
      response: bulkInvitationsResponseSchema,
      status: 201,
      handler: ({ actor, params, body, req }) => invitations.createForSchool(actor, params.schoolId, body, req.ip),
    }),
    route({
      method: 'post',
      path: '/api/guardian-invitations/:invitationId/resend',
      tag,
      auth: 'user',
      summary: 'Give an invitation a new code and period (the old code stops working), e-mail it if an address is known, and return the letter',
      params: invitationParams,
      body: resendInvitationRequestSchema,
      response: invitationLettersSchema,
      handler: ({ actor, params, body, req }) => invitations.resend(actor, params.invitationId, body, req.ip),
    }),
    route({
      method: 'delete',
      path: '/api/guardian-invitations/:invitationId',
      tag,
      auth: 'user',
      summary: 'Withdraw an invitation that has not been accepted',
      params: invitationParams,
      response: invitationSchema,
      handler: ({ actor, params, req }) => invitations.revoke(actor, params.invitationId, req.ip),
    }),
    route({
      method: 'get',
      path: '/api/pupils/:pupilId/guardian-invitations',
      tag,
      auth: 'user',
      summary: "A pupil's guardian invitations with their state",
      params: pupilParams,
      response: invitationListSchema,
      handler: async ({ actor, params }) => ({ invitations: await invitations.listForPupil(actor, params.pupilId) }),
    }),
    route({
      method: 'get',
      path: '/api/groups/:groupId/guardian-invitations',
      tag,
      auth: 'user',
      summary: "The guardian invitations of a group's pupils with their state",
      params: groupParams,
      response: invitationListSchema,
      handler: async ({ actor, params }) => ({ invitations: await invitations.listForGroup(actor, params.groupId) }),
    }),
    route({
      method: 'get',
      path: '/api/schools/:schoolId/guardian-invitations',
      tag,
      auth: 'user',
      summary: "A school's guardian invitations with their state (its admins)",
      params: schoolParams,
      response: invitationListSchema,
      handler: async ({ actor, params }) => ({ invitations: await invitations.listForSchool(actor, params.schoolId) }),
    }),
    route({
      method: 'post',
      path: '/api/invitations/open',
      tag,
      auth: 'public',
      summary: 'Open an invitation by its code: whose it is (marks it opened; wrong codes are rate limited)',
      body: openInvitationRequestSchema,
      response: openInvitationResponseSchema,
      handler: ({ body, req }) => invitations.open(body.code, req.ip ?? 'unknown'),
    }),
    route({
      method: 'post',
      path: '/api/invitations/accept',
      tag,
      auth: 'public',
      summary: 'Accept an invitation into a new guardian account, an existing one (username and password) or the signed-in one; signs in',
      body: acceptInvitationRequestSchema,
      response: meResponseSchema,
      handler: async ({ body, req, actor }) => {
        const address = req.ip ?? 'unknown';
        let account: AcceptAccount;
        if (body.account.kind === 'new') account = body.account;
        else if (body.account.kind === 'session') {
          if (!actor) throw new Unauthenticated();
          account = { kind: 'existing', userId: actor.id };
        } else {
          // The same door as sign-in: the same limits, the same answer for a wrong username or password.
          const name = body.account.username.toLowerCase();
          await limiter.reserve(name, address);
          const user = await auth.verifyCredentials(name, body.account.password);
          if (!user) throw new HttpError(401, 'invalid_credentials', 'The username or password is not right.');
          await limiter.succeed(name, address);
          account = { kind: 'existing', userId: user.id };
        }
        const guardianId = await invitations.accept(body.code, account, address);
        if (body.account.kind !== 'session') {
          const facts: ActorFacts | null = await auth.loadActor(guardianId);
          if (!facts) throw new Unauthenticated();
          // A new session id (passport regenerates it), as at every sign-in.
          await new Promise<void>((resolve, reject) => req.logIn(facts, (err) => (err ? reject(err) : resolve())));
          await auth.recordSignIn(guardianId, address);
        }
        return users.me(guardianId);
      },
    }),
    route({
      method: 'post',
      path: '/api/auth/password-reset',
      tag: 'Authentication',
      auth: 'public',
      summary: 'E-mail a password-reset link to the teacher, guardian or admin accounts with this address (the same answer whether or not there are any)',
      body: requestPasswordResetSchema,
      response: okSchema,
      status: 202,
      handler: async ({ body, req }) => {
        await resets.request(body.email, body.locale, req.ip ?? 'unknown');
        return { ok: true as const };
      },
    }),
    route({
      method: 'post',
      path: '/api/auth/password-reset/confirm',
      tag: 'Authentication',
      auth: 'public',
      summary: "Set a new password with a reset link's token (once, before it expires); ends all the account's sessions",
      body: confirmPasswordResetSchema,
      response: okSchema,
      handler: async ({ body, req }) => {
        await resets.confirm(body.token, body.password, req.ip ?? 'unknown');
        return { ok: true as const };
      },
    }),
    route({
      method: 'post',
      path: '/api/pupils/:pupilId/password',
      tag: 'Users',
      auth: 'user',
      summary: "Set a pupil's password (a teacher of the pupil's group); ends the pupil's sessions",
      params: pupilParams,
      body: setPupilPasswordSchema,
      response: okSchema,
      handler: async ({ actor, params, body, req }) => {
        await resets.setPupilPassword(actor, params.pupilId, body.password, req.ip);
        return { ok: true as const };
      },
    }),
  ];
}
