import { sql, type ExpressionBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../../db/database.ts';
import { executeCompiled } from '../../db/prepared.ts';
import type { Database } from '../../db/schema.ts';
import type { SchoolRole } from '../../../shared/roles.ts';

/** Data access for the organisation tables: schools, users, school roles, groups, memberships, guardian links. */
export type Queryable = Db;

export const userColumns = ['users.id', 'users.username', 'users.displayName', 'users.email', 'users.locale', 'users.active'] as const;

export function findUserByUsername(db: Queryable, username: string) {
  return db.selectFrom('users').selectAll().where('username', '=', username.trim().toLowerCase()).executeTakeFirst();
}

/**
 * Everything the policy needs about a user, as the select list of a query on `users` (one row per
 * user): also embedded in the session store's read, which loads the session and its user at once.
 */
export function actorFactsSelection(eb: ExpressionBuilder<Database, 'users'>) {
  return [
    eb.ref('users.id').as('id'),
    eb.ref('users.username').as('username'),
    eb.ref('users.displayName').as('displayName'),
    eb.ref('users.locale').as('locale'),
    eb.ref('users.active').as('active'),
    jsonArrayFrom(eb.selectFrom('schoolRoles').select(['schoolRoles.schoolId', 'schoolRoles.role']).whereRef('schoolRoles.userId', '=', 'users.id')).as(
      'roles',
    ),
    jsonArrayFrom(
      eb
        .selectFrom('memberships')
        .innerJoin('groups', 'groups.id', 'memberships.groupId')
        .select(['memberships.groupId', 'memberships.role', 'groups.schoolId'])
        .whereRef('memberships.userId', '=', 'users.id'),
    ).as('memberships'),
    jsonArrayFrom(
      eb
        .selectFrom('guardianLinks')
        .select('guardianLinks.pupilId')
        .whereRef('guardianLinks.guardianId', '=', 'users.id')
        .where(guardianLinkInForce('guardianLinks.pupilId')),
    ).as('children'),
    jsonArrayFrom(
      eb
        .selectFrom('guardianLinks')
        .innerJoin('memberships', 'memberships.userId', 'guardianLinks.pupilId')
        .select('memberships.groupId')
        .whereRef('guardianLinks.guardianId', '=', 'users.id')
        .where('memberships.role', '=', 'pupil')
        .where(guardianLinkInForce('guardianLinks.pupilId')),
    ).as('childGroups'),
  ] as const;
}

/** Everything the policy needs about a user, in one round trip (a prepared statement, compiled once). */
export async function loadActorFacts(db: Queryable, userId: string) {
  const [row] = await executeCompiled(db, 'actorFacts', [userId], ([id]) =>
    db
      .selectFrom('users')
      .select((eb) => actorFactsSelection(eb))
      .where('users.id', '=', id)
      .compile(),
  );
  return row;
}

export type ActorFactsRow = NonNullable<Awaited<ReturnType<typeof loadActorFacts>>>;

export function schoolsOfUser(db: Queryable, userId: string) {
  return db
    .selectFrom('schools')
    .select(['schools.id', 'schools.name', 'schools.timeZone'])
    .where('schools.id', 'in', db.selectFrom('schoolRoles').select('schoolId').where('userId', '=', userId))
    .orderBy('schools.name')
    .orderBy('schools.id')
    .execute();
}

export function schoolIdsOfUser(db: Queryable, userId: string): Promise<string[]> {
  return db
    .selectFrom('schoolRoles')
    .select('schoolId')
    .distinct()
    .where('userId', '=', userId)
    .execute()
    .then((rows) => rows.map((r) => r.schoolId));
}

/** A user as the policy's `user` resource: the schools where they hold any role, and those where they are an admin. */
export async function userResourceOf(db: Queryable, userId: string) {
  const rows = await db.selectFrom('schoolRoles').select(['schoolId', 'role']).where('userId', '=', userId).execute();
  const schoolIds = [...new Set(rows.map((r) => r.schoolId))];
  const adminSchoolIds = rows.filter((r) => r.role === 'admin').map((r) => r.schoolId);
  return { type: 'user' as const, userId, schoolIds, adminSchoolIds };
}

export function userHasSchoolRole(db: Queryable, userId: string, schoolId: string, role: SchoolRole) {
  return db
    .selectFrom('schoolRoles')
    .select('userId')
    .where('userId', '=', userId)
    .where('schoolId', '=', schoolId)
    .where('role', '=', role)
    .executeTakeFirst()
    .then(Boolean);
}

export function groupWithCount(db: Queryable) {
  return db.selectFrom('groups').select((eb) => [
    'groups.id',
    'groups.schoolId',
    'groups.name',
    'groups.schoolYear',
    eb
      .selectFrom('memberships')
      .select(sql<number>`count(*)::int`.as('n'))
      .whereRef('memberships.groupId', '=', 'groups.id')
      .as('memberCount'),
  ]);
}

/**
 * Issue 11 §4: a guardian link gives access only while its pupil is under 18 (or the birth date is not
 * known). Every read of guardian links that decides access adds this, so access ends on the birthday
 * itself, before the maintenance sweep deletes the link. `pupilIdColumn` names the link's pupil column.
 */
export function guardianLinkInForce(pupilIdColumn: string) {
  return sql<boolean>`not exists (select 1 from users adult where adult.id = ${sql.ref(pupilIdColumn)} and adult.birth_date <= (current_date - interval '18 years')::date)`;
}
