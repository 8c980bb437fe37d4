import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Request } from 'express';
import type { AuthService } from '../modules/auth/auth.service.ts';
import type { DbSessionStore } from './session-store.ts';

/** Wires passport to our auth service: local strategy for sign-in, the user id in the session. */
// One instance per app (not passport's global), so that several apps can live in one process (tests).
export type PassportInstance = InstanceType<typeof Passport>;

export function configurePassport(auth: AuthService, sessions: DbSessionStore): PassportInstance {
  const passport = new Passport();
  passport.use(
    new LocalStrategy({ session: false }, (username, password, done) => {
      auth.verifyCredentials(username, password).then((user) => done(null, user ?? false), done);
    }),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  // A deactivated or deleted account gets `false`, which makes passport drop the login. The session
  // store read the user with the session (same round trip, same snapshot); otherwise they are loaded here.
  passport.deserializeUser((req: Request, id: string, done: (err: unknown, user?: Express.User | false) => void) => {
    const facts = sessions.userReadWith(req, id);
    if (facts) return done(null, auth.actorFrom(facts) ?? false);
    auth.loadActor(id).then((actor) => done(null, actor ?? false), done);
  });
  return passport;
}
