import type { RequestHandler } from 'express';
import type { ServerResponse } from 'node:http';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request of this method only reads (it may neither change data nor the session). */
export const isRead = (method: string) => READS.has(method);

/**
 * The session store caches each session with its user's policy facts (roles, groups, children, active)
 * for a moment, for reads; writes read them from the database (session-store.ts `get`). Any signed-in
 * write may change those facts (a membership, a guardian link, a role, a deactivation), so when its
 * handler answers, after its transaction committed, the cache is forgotten: a read that begins after
 * that sees what the write committed, and a read that began before it does not keep what it read (the
 * store's generation counter). `forget` also tells the deployment's other processes (see server.ts).
 *
 * "Signed in" is what the write path itself decided (`req.actor`, from express-session and passport),
 * not a second reading of the cookie that could disagree with it. The forget happens when the handler
 * ends the response (`end`), and already when it sends the headers (`writeHead`) of a streamed one:
 * `end` is called even when the client has gone away, when Node no longer calls `writeHead`.
 * Writes that happen outside a signed-in request (a job, a CLI, a future password reset by e-mail)
 * must call it themselves, or are seen within SESSION_CACHE_MS: sessions the store ends are forgotten
 * by the store at once in its own process only.
 */
export function forgetSessionsAfterWrites(forget: () => void): RequestHandler {
  return (req, res, next) => {
    if (isRead(req.method)) return next();
    // `end` sends the headers itself (through writeHead) when none were sent: one forget is enough then.
    let ending = false;
    const forgetIfSignedIn = () => {
      if (req.actor && !ending) forget();
    };
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      forgetIfSignedIn();
      return writeHead(...args);
    }) as typeof res.writeHead;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      forgetIfSignedIn();
      ending = true;
      return end(...args);
    }) as typeof res.end;
    next();
  };
}
