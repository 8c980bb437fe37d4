import type { RequestHandler } from 'express';
import type { ServerResponse } from 'node:http';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request of this method only reads (it may neither change data nor the session). */
export const isRead = (method: string) => READS.has(method);

/**
 * The session store caches each session with its user's policy facts (roles, groups, children, active)
 * for a moment. Any write request may change those facts (a membership, a guardian link, a role, a
 * deactivation), so every write forgets the cache when it starts and again just before its response
 * leaves: a read that begins after the response was sent sees what the write committed. `forget` also
 * tells the deployment's other processes (see server.ts). Writes that happen outside a request (a job,
 * a CLI) must call it themselves, or are seen within SESSION_CACHE_MS.
 */
export function forgetSessionsAroundWrites(forget: () => void, signedIn: (cookieHeader: string | undefined) => boolean): RequestHandler {
  return (req, res, next) => {
    // Only a signed-in user's write can change what a session may do (a sign-in without a session
    // makes a new one, which nobody has cached); so a stranger's flood of POSTs cannot make every
    // process drop its cache and tell the others, request after request.
    if (isRead(req.method) || !signedIn(req.headers.cookie)) return next();
    forget();
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      forget();
      return writeHead(...args);
    }) as typeof res.writeHead;
    next();
  };
}
