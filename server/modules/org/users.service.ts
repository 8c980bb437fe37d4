import type { MeResponse } from '../../../shared/api/auth.ts';
import { DEFAULT_TIME_ZONE } from '../../../shared/api/common.ts';
import type { Child, CreateUserRequest, SchoolUser, UpdateUserRequest, UserDetail } from '../../../shared/api/org.ts';
import type { Locale, SchoolRole } from '../../../shared/roles.ts';
import type { Actor } from '../../auth/actor.ts';
import { hashPassword } from '../../auth/password.ts';
import { authorize } from '../../auth/policy.ts';
import { Conflict, NotFound } from '../../http/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { OrgDeps } from './org.deps.ts';
import { findUserByUsername, loadActorFacts, schoolsOfUser, userColumns, userResourceOf } from './org.repo.ts';

export function usersService({ db, notifier, endUserSessions }: OrgDeps) {
  /**
   * The user as their session sees itself (`seenBy`, the session's actor): a card session (issue 11 §3)
   * only its card's school and the roles the policy left it (narrowForCard); any other session, every role.
   */
  async function me(userId: string, seenBy?: Pick<Actor, 'roles' | 'cardSchoolId'>): Promise<MeResponse> {
    const cardSchoolId = seenBy?.cardSchoolId;
    const facts = await loadActorFacts(db, userId);
    if (!facts) throw new NotFound('The user');
    const schools = (await schoolsOfUser(db, userId)).filter((s) => !cardSchoolId || s.id === cardSchoolId);
    return {
      user: { id: facts.id, username: facts.username, displayName: facts.displayName, locale: facts.locale },
      roles: cardSchoolId && seenBy ? [...seenBy.roles] : facts.roles,
      schools: schools.map((s) => ({ id: s.id, name: s.name })),
      // Dates are shown in the school's zone; with several schools, the first one's (by name).
      timeZone: schools[0]?.timeZone ?? DEFAULT_TIME_ZONE,
    };
  }

  return {
    me,

    async updateMe(actor: Actor, locale: Locale | null): Promise<MeResponse> {
      authorize(actor, 'me.update', { type: 'platform' });
      await db.updateTable('users').set({ locale, updatedAt: new Date() }).where('id', '=', actor.id).execute();
      const result = await me(actor.id);
      notifier.toUser(actor.id, 'me.updated', result);
      return result;
    },

    async listForSchool(actor: Actor, schoolId: string, role?: SchoolRole): Promise<SchoolUser[]> {
      authorize(actor, 'user.list', { type: 'school', schoolId }, 'The school');
      let query = db
        .selectFrom('users')
        .innerJoin('schoolRoles', 'schoolRoles.userId', 'users.id')
        .select([...userColumns, 'schoolRoles.role'])
        .where('schoolRoles.schoolId', '=', schoolId)
        .orderBy('users.displayName');
      if (role) query = query.where('schoolRoles.role', '=', role);
      const rows = await query.execute();
      // One row per (user, role): fold roles together, keeping the name order.
      const byId = new Map<string, SchoolUser>();
      for (const { role: r, ...user } of rows) {
        const seen = byId.get(user.id);
        if (seen) seen.roles.push(r);
        else byId.set(user.id, { ...user, roles: [r] });
      }
      return [...byId.values()];
    },

    /** Creates an account with a role at the school. A username is unique across Polku. */
    async create(actor: Actor, schoolId: string, input: CreateUserRequest, ip?: string): Promise<SchoolUser> {
      authorize(actor, 'user.create', { type: 'school', schoolId }, 'The school');
      if (await findUserByUsername(db, input.username)) throw new Conflict(`The username ${input.username} is already taken.`);
      const passwordHash = input.password ? await hashPassword(input.password) : null;
      const user = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('users')
          .values({
            username: input.username,
            displayName: input.displayName,
            email: input.email ?? null,
            locale: input.locale ?? null,
            passwordHash,
          })
          .returning(['id', 'username', 'displayName', 'email', 'locale', 'active'])
          .executeTakeFirstOrThrow();
        await trx.insertInto('schoolRoles').values({ schoolId, userId: row.id, role: input.role }).execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'user.create',
          subjectType: 'user',
          subjectId: row.id,
          subjectUserId: row.id,
          details: { role: input.role, schoolId },
          ip,
        });
        return row;
      });
      return { ...user, roles: [input.role] };
    },

    async get(actor: Actor, userId: string): Promise<UserDetail> {
      authorize(actor, 'user.read', await userResourceOf(db, userId), 'The user');
      const user = await db.selectFrom('users').select(userColumns).where('id', '=', userId).executeTakeFirst();
      if (!user) throw new NotFound('The user');
      const [roles, groups, guardians, children] = await Promise.all([
        db.selectFrom('schoolRoles').select(['schoolId', 'role']).where('userId', '=', userId).execute(),
        db
          .selectFrom('memberships')
          .innerJoin('groups', 'groups.id', 'memberships.groupId')
          .select(['groups.id', 'groups.name', 'memberships.role'])
          .where('memberships.userId', '=', userId)
          .orderBy('groups.name')
          .execute(),
        db
          .selectFrom('guardianLinks')
          .innerJoin('users', 'users.id', 'guardianLinks.guardianId')
          .select(['users.id', 'users.displayName'])
          .where('guardianLinks.pupilId', '=', userId)
          .orderBy('users.displayName')
          .execute(),
        db
          .selectFrom('guardianLinks')
          .innerJoin('users', 'users.id', 'guardianLinks.pupilId')
          .select(['users.id', 'users.displayName'])
          .where('guardianLinks.guardianId', '=', userId)
          .orderBy('users.displayName')
          .execute(),
      ]);
      return { ...user, roles, groups, guardians, children };
    },

    async update(actor: Actor, userId: string, input: UpdateUserRequest, ip?: string): Promise<UserDetail> {
      // A password or the active flag decides who can use the whole account: that needs authority over all of it.
      const accountChange = input.password !== undefined || input.active !== undefined;
      authorize(actor, accountChange ? 'user.manageAccount' : 'user.update', await userResourceOf(db, userId), 'The user');
      const { password, ...fields } = input;
      const passwordHash = password ? await hashPassword(password) : undefined;
      await db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('users')
          .set({ ...fields, ...(passwordHash ? { passwordHash } : {}), updatedAt: new Date() })
          .where('id', '=', userId)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) throw new NotFound('The user');
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'user.update',
          subjectType: 'user',
          subjectId: userId,
          subjectUserId: userId,
          details: { fields: Object.keys(input) },
          ip,
        });
      });
      // After commit: a deactivated account or a reset password ends the user's sessions everywhere.
      if (input.active === false || password) await endUserSessions(userId, input.active === false ? 'deactivated' : 'password_changed');
      else notifier.toUser(userId, 'me.updated', await me(userId));
      return this.get(actor, userId);
    },

    /** The guardian's children with their schools and groups: the guardian's home page. */
    async children(actor: Actor): Promise<Child[]> {
      const ids = [...actor.childIds];
      if (ids.length === 0) return [];
      const [pupils, schools, groups] = await Promise.all([
        db.selectFrom('users').select(['id', 'displayName']).where('id', 'in', ids).where('active', '=', true).orderBy('displayName').execute(),
        db
          .selectFrom('schoolRoles')
          .innerJoin('schools', 'schools.id', 'schoolRoles.schoolId')
          .select(['schoolRoles.userId', 'schools.id', 'schools.name'])
          .where('schoolRoles.userId', 'in', ids)
          .where('schoolRoles.role', '=', 'pupil')
          .execute(),
        db
          .selectFrom('memberships')
          .innerJoin('groups', 'groups.id', 'memberships.groupId')
          .select(['memberships.userId', 'groups.id', 'groups.name'])
          .where('memberships.userId', 'in', ids)
          .where('memberships.role', '=', 'pupil')
          .orderBy('groups.name')
          .execute(),
      ]);
      return pupils.map((p) => ({
        id: p.id,
        displayName: p.displayName,
        schools: schools.filter((s) => s.userId === p.id).map(({ id, name }) => ({ id, name })),
        groups: groups.filter((g) => g.userId === p.id).map(({ id, name }) => ({ id, name })),
      }));
    },
  };
}
