import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { AnyRoute } from '../../http/route.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { loginLimiter } from '../auth/login-limiter.ts';
import { createMailer } from '../mail/mailer.ts';
import type { GuardianLinksService } from '../org/guardian-links.service.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import type { usersService } from '../org/users.service.ts';
import { attemptLimiter, DEFAULT_ATTEMPT_LIMITS, type AttemptLimits } from './attempt-limiter.ts';
import { invitationRoutes } from './invitations.routes.ts';
import { invitationsService, type InvitationsService } from './invitations.service.ts';
import { passwordResetService } from './password-reset.service.ts';

export interface InvitationsModuleDeps {
  config: Config;
  database: DatabaseHandle;
  auth: AuthService;
  users: ReturnType<typeof usersService>;
  limiter: ReturnType<typeof loginLimiter>;
  forgetSessions: () => void;
  /** The 18th-birthday sweep's links end through the organisation's guardian links (see guardian-links.service.ts). */
  guardianLinks: Pick<GuardianLinksService, 'endAtAdulthood'>;
  logger: Logger;
  limits?: AttemptLimits | undefined;
  notifier: Notifier;
}

/** Issue 11 §4–5 composed: the mailer, the limiters, guardian invitations and password reset. */
export function invitationsModule(deps: InvitationsModuleDeps): { service: InvitationsService; routes: AnyRoute[] } {
  const { config, database } = deps;
  const logger = deps.logger.child({ module: 'invitations' });
  const limits = deps.limits ?? DEFAULT_ATTEMPT_LIMITS;
  const mailer = createMailer(config.mail, logger.child({ module: 'mail' }));
  const service = invitationsService({
    db: database.db,
    mailer,
    publicUrl: config.publicUrl,
    validMs: config.mail.invitationValidMs,
    codeLimiter: attemptLimiter('invitation-code', limits.invitationCode, database.pool),
    forgetSessions: deps.forgetSessions,
    endAdultGuardianLinks: () => deps.guardianLinks.endAtAdulthood(),
    logger,
    notifier: deps.notifier,
  });
  const resets = passwordResetService({
    db: database.db,
    mailer,
    publicUrl: config.publicUrl,
    validMs: config.mail.passwordResetMs,
    requestLimiter: attemptLimiter('reset-request', limits.resetRequest, database.pool),
    perAccountLimiter: attemptLimiter('reset-account', limits.resetPerAccount, database.pool),
    tokenLimiter: attemptLimiter('reset-token', limits.resetToken, database.pool),
    endUserSessions: deps.auth.endUserSessions,
    forgetSessions: deps.forgetSessions,
    logger,
  });
  return { service, routes: invitationRoutes({ invitations: service, resets, auth: deps.auth, users: deps.users, limiter: deps.limiter }) };
}
