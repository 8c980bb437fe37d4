import type { Actor } from '../../auth/actor.ts';
import { verifyAgainstNothing, verifyPassword } from '../../auth/password.ts';
import type { DbSessionStore } from '../../auth/session-store.ts';
import type { Db } from '../../db/database.ts';
import type { SessionEndReason } from '../../../shared/realtime.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findUserByUsername, loadActorFacts, type ActorFactsRow } from '../org/org.repo.ts';
import { DEMO_PASSWORD } from '../../seed/demo-school.ts';

export interface AuthDeps {
  db: Db;
  sessions: DbSessionStore;
  notifier: Notifier;
  /** In demo mode the demo password works; outside it, it never does, whatever the database holds. */
  demo: boolean;
  /** False when the user's school has turned password sign-in off (school sign-in, issue 11); default: always allowed. */
  passwordAllowed?: (userId: string) => Promise<boolean>;
}

export type ActorFacts = Omit<Actor, 'sessionId'>;

export function authService({ db, sessions, notifier, demo, passwordAllowed }: AuthDeps) {
  // The password hash each successful check was made against, so that the sign-in can confirm, once its
  // session is saved, that no password change or deactivation slipped in during the slow check.
  const verifiedHash = new WeakMap<ActorFacts, string>();

  // However a session ends (sign-out, expiry, prune, deactivation, password change), the store reports it
  // and its sockets end too, in every process.
  sessions.onEnded((sessionIds, reason) => notifier.endSessions(sessionIds, reason));

  return {
    /** The user for a username and password, or null; takes the same time whether or not the user exists. */
    async verifyCredentials(username: string, password: string): Promise<ActorFacts | null> {
      const user = await findUserByUsername(db, username);
      if (!user?.passwordHash || !user.active) {
        await verifyAgainstNothing(password);
        return null;
      }
      if (!demo && password === DEMO_PASSWORD) {
        await verifyAgainstNothing(password);
        return null;
      }
      if (!(await verifyPassword(user.passwordHash, password))) return null;
      // Checked after the password, so that the answer does not tell whether an account exists.
      if (passwordAllowed && !(await passwordAllowed(user.id))) return null;
      const actor = await this.loadActor(user.id);
      if (actor) verifiedHash.set(actor, user.passwordHash);
      return actor;
    },

    /**
     * After the new session is saved: true when the account still has the password that was checked and is
     * active. A reset or deactivation ends sessions that exist when it commits; one saved a moment later
     * would survive it, so the caller ends it when this says false.
     */
    async credentialsUnchanged(user: ActorFacts): Promise<boolean> {
      const hash = verifiedHash.get(user);
      const current = await findUserByUsername(db, user.username);
      return hash !== undefined && current?.id === user.id && current.active && current.passwordHash === hash;
    },

    /** Notes a successful sign-in in the audit log. */
    async recordSignIn(userId: string, ip: string | null): Promise<void> {
      await recordAudit(db, { actorId: userId, action: 'auth.login', subjectType: 'user', subjectId: userId, ip });
    },

    /** The policy's view of a user, or null when the account is gone or deactivated. */
    async loadActor(userId: string): Promise<ActorFacts | null> {
      return actorFrom(await loadActorFacts(db, userId));
    },

    actorFrom,

    /** Ends every session of the user; the store has their sockets disconnected, in every process. */
    async endUserSessions(userId: string, reason: SessionEndReason): Promise<void> {
      await sessions.destroyAllForUser(userId, reason);
    },
  };
}

export type AuthService = ReturnType<typeof authService>;

/** The policy's view of a user from their facts, or null when the account is gone or deactivated. */
function actorFrom(facts: ActorFactsRow | undefined): ActorFacts | null {
  if (!facts || !facts.active) return null;
  return {
    id: facts.id,
    username: facts.username,
    displayName: facts.displayName,
    locale: facts.locale,
    roles: facts.roles,
    teacherGroupIds: new Set(facts.memberships.filter((m) => m.role === 'teacher').map((m) => m.groupId)),
    pupilGroupIds: new Set(facts.memberships.filter((m) => m.role === 'pupil').map((m) => m.groupId)),
    childIds: new Set(facts.children.map((c) => c.pupilId)),
    childGroupIds: new Set(facts.childGroups.map((g) => g.groupId)),
    groupSchoolIds: new Map(facts.memberships.map((m) => [m.groupId, m.schoolId])),
  };
}
