import type { Db } from '../../db/database.ts';

/** The card behind a code hash, if it is live and its pupil may use it now: everything the sign-in decides on, in one query. */
export function findLiveCard(db: Db, secretHash: string) {
  return db
    .selectFrom('signInCards')
    .innerJoin('users', 'users.id', 'signInCards.userId')
    .innerJoin('schools', 'schools.id', 'signInCards.schoolId')
    .leftJoin('signInCardSettings', 'signInCardSettings.schoolId', 'signInCards.schoolId')
    .select((eb) => [
      'signInCards.id',
      'signInCards.userId',
      'signInCards.schoolId',
      'users.active',
      'schools.timeZone',
      'signInCardSettings.hoursStart',
      'signInCardSettings.hoursEnd',
      eb
        .exists(
          eb
            .selectFrom('schoolRoles')
            .select('schoolRoles.userId')
            .whereRef('schoolRoles.userId', '=', 'signInCards.userId')
            .whereRef('schoolRoles.schoolId', '=', 'signInCards.schoolId')
            .where('schoolRoles.role', '=', 'pupil'),
        )
        .as('isPupil'),
    ])
    .where('signInCards.secretHash', '=', secretHash)
    .where('signInCards.revokedAt', 'is', null)
    .executeTakeFirst();
}

export function isLive(db: Db, cardId: string) {
  return db.selectFrom('signInCards').select('id').where('id', '=', cardId).where('revokedAt', 'is', null).executeTakeFirst();
}

export function groupOf(db: Db, groupId: string) {
  return db.selectFrom('groups').select(['id', 'schoolId', 'name']).where('id', '=', groupId).executeTakeFirst();
}

/** Active pupils of a group (pupil members who are pupils of its school), with their live card at that school. */
export function groupPupils(db: Db, groupId: string, schoolId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.userId')
    .innerJoin('schoolRoles', (j) =>
      j.onRef('schoolRoles.userId', '=', 'users.id').on('schoolRoles.schoolId', '=', schoolId).on('schoolRoles.role', '=', 'pupil'),
    )
    .leftJoin('signInCards', (j) =>
      j.onRef('signInCards.userId', '=', 'users.id').on('signInCards.schoolId', '=', schoolId).on('signInCards.revokedAt', 'is', null),
    )
    .select(['users.id', 'users.displayName', 'users.username', 'users.locale', 'signInCards.createdAt as issuedAt', 'signInCards.lastUsedAt'])
    .where('memberships.groupId', '=', groupId)
    .where('memberships.role', '=', 'pupil')
    .where('users.active', '=', true)
    .orderBy('users.displayName')
    .orderBy('users.id')
    .execute();
}

/** Those of `ids` who are active pupils of the school. */
export function schoolPupils(db: Db, schoolId: string, ids: readonly string[]) {
  return db
    .selectFrom('users')
    .innerJoin('schoolRoles', 'schoolRoles.userId', 'users.id')
    .select(['users.id', 'users.displayName', 'users.username', 'users.locale'])
    .where('schoolRoles.schoolId', '=', schoolId)
    .where('schoolRoles.role', '=', 'pupil')
    .where('users.active', '=', true)
    .where('users.id', 'in', [...ids])
    .orderBy('users.displayName')
    .orderBy('users.id')
    .execute();
}

export function schoolOf(db: Db, schoolId: string) {
  return db
    .selectFrom('schools')
    .leftJoin('signInCardSettings', 'signInCardSettings.schoolId', 'schools.id')
    .select(['schools.id', 'schools.name', 'schools.timeZone', 'signInCardSettings.hoursStart', 'signInCardSettings.hoursEnd'])
    .where('schools.id', '=', schoolId)
    .executeTakeFirst();
}

/** Revokes the live cards of these pupils at the school; the revoked cards' ids. */
export async function revokeLive(db: Db, schoolId: string, userIds: readonly string[], by: string): Promise<Array<{ id: string; userId: string }>> {
  if (userIds.length === 0) return [];
  return db
    .updateTable('signInCards')
    .set({ revokedAt: new Date(), revokedBy: by })
    .where('schoolId', '=', schoolId)
    .where('userId', 'in', [...userIds])
    .where('revokedAt', 'is', null)
    .returning(['id', 'userId'])
    .execute();
}
