import { parse, serialize } from 'cookie';
import { sign, unsign } from 'cookie-signature';
import type { DbSessionStore } from './session-store.ts';

export interface SessionIdentity {
  sessionId: string;
  userId: string;
}

export interface SessionCookieOptions {
  cookieName: string;
  secret: string;
}

/** The session id in a Cookie header, if its signature is ours: express-session's format (`s:<id>.<signature>`). */
export function signedSessionId(cookieHeader: string | undefined, { cookieName, secret }: SessionCookieOptions): string | null {
  if (!cookieHeader) return null;
  const raw = parse(cookieHeader)[cookieName];
  if (!raw?.startsWith('s:')) return null;
  return unsign(raw.slice(2), secret) || null;
}

/** The Set-Cookie value that renews session `sessionId` until `expires`, as express-session writes it. */
export function sessionCookie(sessionId: string, expires: Date, { cookieName, secret, secure }: SessionCookieOptions & { secure: boolean }): string {
  return serialize(cookieName, `s:${sign(sessionId, secret)}`, { expires, path: '/', httpOnly: true, sameSite: 'lax', secure });
}

/**
 * The signed-in session behind a Cookie header, without touching the response: for Socket.IO
 * handshakes, where engine.io owns the response headers. Read from the database, not the session
 * cache: a socket joins its user's rooms at once and then hears their events, and a handshake is rare
 * (one per page load), so a session ended a moment ago in another process must not connect.
 */
export async function sessionFromCookie(
  cookieHeader: string | undefined,
  options: SessionCookieOptions & { store: DbSessionStore },
): Promise<SessionIdentity | null> {
  const sessionId = signedSessionId(cookieHeader, options);
  if (!sessionId) return null;
  const session = await options.store.read(sessionId, { fresh: true });
  return session?.userId ? { sessionId, userId: session.userId } : null;
}
