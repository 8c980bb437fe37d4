import type { Request } from 'express';
import type { Db } from '../db/database.ts';
import type { ActorFacts } from '../modules/auth/auth.service.ts';
import { recordAudit } from '../modules/audit/audit.service.ts';

export interface SignInDeps {
  db: Db;
  /** The policy's view of the user now, or null when the account is gone or deactivated. */
  loadActor(userId: string): Promise<ActorFacts | null>;
}

/**
 * Signs a user in after a check made elsewhere (an OpenID Connect provider, a sign-in card, …): the
 * request must have come through express-session and passport (a write under /api, or a router mounted
 * with them). passport regenerates the session, so whatever session id the browser held before is
 * worthless; `extra` is stored in the new session; the sign-in is audited as `auth.login` with the method.
 * If the account was deactivated while the new session was being saved, that session is ended again and
 * false is returned (the caller answers as for any refusal).
 */
export async function signInAfterCheck(
  req: Request,
  user: ActorFacts,
  deps: SignInDeps,
  options: { method: string; details?: Record<string, unknown>; extra?: Record<string, string> },
): Promise<boolean> {
  await new Promise<void>((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
  if (options.extra) {
    Object.assign(req.session, options.extra);
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
  }
  if (!(await deps.loadActor(user.id))) {
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    return false;
  }
  await recordAudit(deps.db, {
    actorId: user.id,
    action: 'auth.login',
    subjectType: 'user',
    subjectId: user.id,
    details: { method: options.method, ...options.details },
    ip: req.ip ?? null,
  });
  return true;
}
