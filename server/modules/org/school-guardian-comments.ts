import type { Generated } from 'kysely';
import type { GuardianCommentSetting } from '../../../shared/api/guardian-voice.ts';
import type { Db } from '../../db/database.ts';

/** Issue 12 §2, migration 0037: the school's guardian comment setting, a column of `schools` (org's table). */
export type SchoolGuardianCommentsColumn = { schools: { guardianComments: Generated<GuardianCommentSetting> } };
export const schoolsWithGuardianComments = (db: Db) => db.withTables<SchoolGuardianCommentsColumn>();

/** From the most to the least restrictive: outside a project, the strictest of the pupil's schools applies. */
const STRICTNESS: readonly GuardianCommentSetting[] = ['off', 'moderated', 'shown'];

/**
 * Which guardian comment setting applies to an item: the school of the item's project; outside a project
 * (or for a project without a school), the strictest setting among the schools where its owner is a pupil.
 * A pupil with no school: off.
 */
export async function guardianCommentSettingFor(db: Db, item: { projectId: string | null; ownerId: string }): Promise<GuardianCommentSetting> {
  const sdb = schoolsWithGuardianComments(db);
  if (item.projectId) {
    const row = await sdb
      .selectFrom('projects')
      .innerJoin('schools', 'schools.id', 'projects.schoolId')
      .select('schools.guardianComments')
      .where('projects.id', '=', item.projectId)
      .executeTakeFirst();
    if (row) return row.guardianComments;
  }
  const rows = await sdb
    .selectFrom('schoolRoles')
    .innerJoin('schools', 'schools.id', 'schoolRoles.schoolId')
    .select('schools.guardianComments')
    .where('schoolRoles.userId', '=', item.ownerId)
    .where('schoolRoles.role', '=', 'pupil')
    .execute();
  if (rows.length === 0) return 'off';
  return STRICTNESS.find((s) => rows.some((r) => r.guardianComments === s)) ?? 'off';
}
