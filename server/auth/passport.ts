import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { AuthService } from '../modules/auth/auth.service.ts';

/** Wires passport to our auth service: local strategy for sign-in, the user id in the session. */
// One instance per app (not passport's global), so that several apps can live in one process (tests).
export type PassportInstance = InstanceType<typeof Passport>;

export function configurePassport(auth: AuthService): PassportInstance {
  const passport = new Passport();
  passport.use(
    new LocalStrategy({ session: false }, (username, password, done) => {
      auth.verifyCredentials(username, password).then((user) => done(null, user ?? false), done);
    }),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  // A deactivated or deleted account gets `false`, which makes passport drop the login.
  passport.deserializeUser((id: string, done) => {
    auth.loadActor(id).then((actor) => done(null, actor ?? false), done);
  });
  return passport;
}
