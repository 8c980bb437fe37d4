import { parse } from 'cookie';
import { unsign } from 'cookie-signature';
import type session from 'express-session';

export interface SessionIdentity {
  sessionId: string;
  userId: string;
}

/**
 * Reads the signed session cookie the way express-session does and looks the session up, without
 * touching the response: for Socket.IO handshakes, where engine.io owns the response headers.
 */
export async function sessionFromCookie(
  cookieHeader: string | undefined,
  options: { cookieName: string; secret: string; store: session.Store },
): Promise<SessionIdentity | null> {
  if (!cookieHeader) return null;
  const raw = parse(cookieHeader)[options.cookieName];
  if (!raw?.startsWith('s:')) return null;
  const sessionId = unsign(raw.slice(2), options.secret);
  if (!sessionId) return null;
  const data = await new Promise<session.SessionData | null | undefined>((resolve, reject) =>
    options.store.get(sessionId, (err, value) => (err ? reject(err) : resolve(value))),
  );
  const userId = data?.passport?.user;
  return userId ? { sessionId, userId } : null;
}
