import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { DEFAULT_LOCALE, type Locale } from '../../../shared/roles.ts';
import type { SessionEndReason } from '../../../shared/realtime.ts';
import type { Actor } from '../../auth/actor.ts';
import { hashPassword } from '../../auth/password.ts';
import { authorize } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { Forbidden, HttpError, NotFound } from '../../http/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { Mailer } from '../mail/mailer.ts';
import { passwordResetMail } from '../mail/templates.ts';
import type { AttemptLimiter } from './attempt-limiter.ts';
import { sha256 } from './invitations.repo.ts';

export interface PasswordResetDeps {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
  validMs: number;
  requestLimiter: AttemptLimiter;
  perAccountLimiter: AttemptLimiter;
  tokenLimiter: AttemptLimiter;
  endUserSessions(userId: string, reason: SessionEndReason): Promise<void>;
  forgetSessions: () => void;
  logger: Logger;
}

/** At most this many accounts share an address and each get a reset e-mail. */
const MAX_ACCOUNTS_PER_ADDRESS = 5;

export function passwordResetService(deps: PasswordResetDeps) {
  const { db, mailer } = deps;

  async function setPassword(
    userId: string,
    passwordHash: string,
    action: string,
    actorId: string | null,
    ip: string | undefined,
    details?: Record<string, unknown>,
  ) {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ passwordHash, updatedAt: new Date() }).where('id', '=', userId).execute();
      // Any other link still out there stops working with the new password.
      await trx.deleteFrom('passwordResets').where('userId', '=', userId).where('usedAt', 'is', null).execute();
      await recordAudit(trx, {
        actorId,
        action,
        subjectType: 'user',
        subjectId: userId,
        subjectUserId: userId,
        ...(details ? { details } : {}),
        ip: ip ?? null,
      });
    });
    // After commit: every session of the account ends, with its sockets, in every process.
    await deps.endUserSessions(userId, 'password_changed');
    deps.forgetSessions();
  }

  return {
    /**
     * Sends a reset link to each active teacher, guardian or admin account with this address. The answer
     * is the same whether or not there is one; the e-mail goes after the answer, so its time tells nothing.
     */
    async request(email: string, locale: Locale | undefined, address: string): Promise<void> {
      if (!mailer.configured) {
        const err = new HttpError(409, 'conflict', 'This Polku sends no e-mail. Ask your school’s admin to set a new password.');
        err.reason = 'mail_not_configured';
        throw err;
      }
      await deps.requestLimiter.consumeAddress(address);
      const users = await db
        .selectFrom('users')
        .select(['id', 'username', 'displayName', 'locale', 'email'])
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
        .where('active', '=', true)
        // Pupils' passwords are reset by their teacher: an account that is a pupil anywhere gets no link.
        .where('id', 'not in', db.selectFrom('schoolRoles').select('userId').where('role', '=', 'pupil'))
        .where('id', 'in', db.selectFrom('schoolRoles').select('userId').where('role', 'in', ['teacher', 'guardian', 'admin']))
        .orderBy('username')
        .limit(MAX_ACCOUNTS_PER_ADDRESS)
        .execute();
      const sends: Array<() => Promise<void>> = [];
      for (const user of users) {
        // Beyond the per-account budget nobody is told: the answer stays the same, no e-mail goes.
        if (!(await deps.perAccountLimiter.tryConsume(`account:${user.id}`))) continue;
        const token = randomBytes(32).toString('base64url');
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('passwordResets')
            .values({ tokenHash: sha256(token), userId: user.id, expiresAt: new Date(Date.now() + deps.validMs) })
            .execute();
          await recordAudit(trx, {
            actorId: null,
            action: 'auth.passwordResetRequested',
            subjectType: 'user',
            subjectId: user.id,
            subjectUserId: user.id,
            ip: address,
          });
        });
        const message = passwordResetMail(locale ?? user.locale ?? DEFAULT_LOCALE, {
          displayName: user.displayName,
          username: user.username,
          link: `${deps.publicUrl}/reset-password#token=${token}`,
          minutes: Math.round(deps.validMs / 60_000),
        });
        sends.push(() => mailer.send(user.email ?? email, message));
      }
      for (const send of sends) void send().catch((err: unknown) => deps.logger.warn({ err }, 'password reset e-mail could not be sent'));
    },

    /** Sets a new password with a reset link's token: once, before it expires; all the account's sessions end. */
    async confirm(token: string, password: string, address: string): Promise<void> {
      await deps.tokenLimiter.consumeAddress(address);
      const passwordHash = await hashPassword(password);
      const used = await db
        .updateTable('passwordResets')
        .set({ usedAt: new Date() })
        .where('tokenHash', '=', sha256(token))
        .where('usedAt', 'is', null)
        .where('expiresAt', '>', new Date())
        .where('userId', 'in', db.selectFrom('users').select('id').where('active', '=', true))
        .returning('userId')
        .executeTakeFirst();
      if (!used) {
        const err = new HttpError(400, 'bad_request', 'This link does not work: it has been used or has expired. Ask for a new one.');
        err.reason = 'reset_invalid';
        throw err;
      }
      await deps.tokenLimiter.rewardAddress(address);
      await setPassword(used.userId, passwordHash, 'auth.passwordReset', used.userId, address);
    },

    /** A teacher (or an admin of all the pupil's schools) sets a pupil's password; the pupil's sessions end. */
    async setPupilPassword(actor: Actor, pupilId: string, password: string, ip?: string): Promise<void> {
      const [roles, groups] = await Promise.all([
        db.selectFrom('schoolRoles').select(['schoolId', 'role']).where('userId', '=', pupilId).execute(),
        db.selectFrom('memberships').select('groupId').where('userId', '=', pupilId).where('role', '=', 'pupil').execute(),
      ]);
      const pupilSchools = roles.filter((r) => r.role === 'pupil').map((r) => r.schoolId);
      authorize(
        actor,
        'pupil.setPassword',
        { type: 'pupil', pupilId, schoolIds: pupilSchools, groupIds: pupilSchools.length > 0 ? groups.map((g) => g.groupId) : [], projectTeacherIds: [] },
        'The pupil',
      );
      // A teacher's word over a pupil's account must not reach an account that is also something else.
      if (roles.some((r) => r.role !== 'pupil')) throw new Forbidden('Only a pupil’s password can be set here.');
      const user = await db.selectFrom('users').select('active').where('id', '=', pupilId).executeTakeFirst();
      if (!user) throw new NotFound('The pupil');
      await setPassword(pupilId, await hashPassword(password), 'user.pupilPasswordSet', actor.id, ip);
    },
  };
}
export type PasswordResetService = ReturnType<typeof passwordResetService>;
