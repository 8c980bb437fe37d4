import { parse, serialize } from 'cookie';
import { sign, unsign } from 'cookie-signature';
import type { DbSessionStore } from './session-store.ts';

export interface SessionIdentity {
  sessionId: string;
  userId: string;
  /** The school of the sign-in card that opened the session, or null (issue 11 §3). */
  cardSchoolId: string | null;
}

export interface SessionCookieOptions {
  cookieName: string;
  secret: string;
}

/**
 * The session id in a Cookie header, if its signature is ours: express-session's format (`s:<id>.<signature>`),
 * read as express-session reads it, so that a read and a write of one cookie agree on who is asking.
 * express-session's cookie parser (cookie 0.7) takes a value out of double quotes before decoding it;
 * cookie 1.x, ours, does not.
 */
export function signedSessionId(cookieHeader: string | undefined, { cookieName, secret }: SessionCookieOptions): string | null {
  if (!cookieHeader) return null;
  const raw = parse(cookieHeader, { decode: (value) => value })[cookieName];
  if (raw === undefined) return null;
  const value = decoded(raw.length > 1 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
  if (!value.startsWith('s:')) return null;
  return unsign(value.slice(2), secret) || null;
}

/** As the cookie parsers decode a value: percent-decoded, or as it is when that fails. */
function decoded(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
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
  return session?.userId ? { sessionId, userId: session.userId, cardSchoolId: session.cardSchoolId } : null;
}
