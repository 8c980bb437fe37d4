import type { Logger } from 'pino';
import type { Actor } from './auth/actor.ts';

declare global {
  namespace Express {
    // What passport's deserializeUser loads: the actor without the session id.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Omit<Actor, 'sessionId'> {}
    interface Request {
      actor?: Actor | null;
      id: string;
      log: Logger;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    passport?: { user?: string };
    /** Issue 11 §3: the session was opened with this sign-in card (see policy.ts narrowForCard). */
    signInCard?: { cardId: string; schoolId: string };
  }
}

export {};
