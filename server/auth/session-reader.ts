import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { ActorFactsRow } from '../modules/org/org.repo.ts';
import type { ActorFacts } from '../modules/auth/auth.service.ts';
import { narrowForCard } from './policy.ts';
import { sessionCookie, signedSessionId } from './session-cookie.ts';
import type { DbSessionStore } from './session-store.ts';

export interface SessionReaderOptions {
  cookieName: string;
  secret: string;
  secure: boolean;
  maxAgeMs: number;
  store: DbSessionStore;
  /** The policy's view of a user from their facts; null when the account is gone or deactivated. */
  actorFrom(facts: ActorFactsRow): ActorFacts | null;
  logger: Logger;
}

/**
 * Who is signed in, for requests that only read (GET, HEAD, OPTIONS), which are most of them: the
 * signed cookie checked as express-session checks it, the session and its user from the store (which
 * caches them briefly), and the expiry slid as express-session's rolling cookie slides it, at the
 * store's touch interval. No session object and no passport, which only a request that signs in or
 * out needs: those are POSTs, and every write goes through express-session and passport (app.ts). A
 * route that must change the session on a GET (a sign-in callback) has to be mounted outside /api's
 * read path.
 */
export function sessionReader(options: SessionReaderOptions): RequestHandler {
  const { store } = options;
  // The same facts object (a cache hit) gives the same actor: its sets are built once, not per request.
  const actors = new WeakMap<ActorFactsRow, ActorFacts | null>();
  const actorOf = (facts: ActorFactsRow) => {
    let actor = actors.get(facts);
    if (actor === undefined) actors.set(facts, (actor = options.actorFrom(facts)));
    return actor;
  };
  return (req, res, next) => {
    req.actor = null;
    const sid = signedSessionId(req.headers.cookie, options);
    if (!sid) return next();
    store.read(sid).then((session) => {
      const actor = session?.user && session.user.id === session.userId ? actorOf(session.user) : null;
      if (!actor) return next();
      req.actor = narrowForCard({ ...actor, sessionId: sid }, session?.cardSchoolId);
      const expires = new Date(Date.now() + options.maxAgeMs);
      const renewed = store.renewIfDue(sid, expires, (err) => {
        if (err) options.logger.warn({ err }, 'session expiry could not be renewed');
      });
      // express-session does not send a secure cookie over a plain connection either.
      if (renewed && (!options.secure || req.secure)) res.append('Set-Cookie', sessionCookie(sid, expires, options));
      next();
    }, next);
  };
}
