import { guardianSeenSql, guardianViewSql } from '../guardian-sharing/guardian-sharing.sql.ts';
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../../db/database.ts';

/**
 * What the policy needs about one pupil's goal, and what the goal page shows of the goal and its
 * project, in one query. Null when the goal does not exist or the user is no pupil.
 */
export async function pupilGoalFacts(db: Db, goalId: string, pupilId: string) {
  const row = await db
    .selectFrom('projectGoals')
    .innerJoin('projects', 'projects.id', 'projectGoals.projectId')
    .innerJoin('users', (join) => join.on('users.id', '=', pupilId))
    .select((eb) => [
      'projectGoals.id as goalId',
      'projectGoals.text',
      'projectGoals.successCriteria',
      'projects.id as projectId',
      'projects.title as projectTitle',
      'projects.subjectCodes',
      'projects.competenceIds',
      'projects.ownerId',
      'projects.scaleId',
      'projects.importedScale',
      'projects.updatedAt as projectUpdatedAt',
      'users.displayName as pupilName',
      jsonArrayFrom(eb.selectFrom('projectTeachers').select('projectTeachers.userId').whereRef('projectTeachers.projectId', '=', 'projects.id')).as('teachers'),
      jsonArrayFrom(eb.selectFrom('projectGroups').select('projectGroups.groupId').whereRef('projectGroups.projectId', '=', 'projects.id')).as('groups'),
      jsonArrayFrom(
        eb.selectFrom('memberships').select('memberships.groupId').where('memberships.userId', '=', pupilId).where('memberships.role', '=', 'pupil'),
      ).as('pupilGroups'),
    ])
    .where('projectGoals.id', '=', goalId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    row,
    resource: {
      type: 'pupilGoal' as const,
      pupilId,
      pupilGroupIds: row.pupilGroups.map((g) => g.groupId),
      projectTeacherIds: row.teachers.map((t) => t.userId),
      projectGroupIds: row.groups.map((g) => g.groupId),
      projectOwnerId: row.ownerId,
    },
  };
}
export type PupilGoalFacts = NonNullable<Awaited<ReturnType<typeof pupilGoalFacts>>>;

/**
 * The pupil's artefacts (not deleted) with what `artefact.read` needs: those linked to the goal (now, or in
 * the version guardians see: `goalIds` and `guardianGoalIds` tell which), or those with the given ids.
 * Read-only here; the artefacts feature keeps writing them.
 */
export function pupilArtefacts(db: Db, pupilId: string, which: { goalId: string } | { ids: readonly string[] }) {
  const seen = guardianSeenSql('artefacts');
  let query = db
    .selectFrom('artefacts')
    .select((eb) => [
      'artefacts.id',
      'artefacts.title',
      'artefacts.kind',
      'artefacts.visibility',
      'artefacts.createdAt',
      // Issue 12 §1: evidence reaches a guardian as the artefact does (shared, and approved where the school asks).
      guardianViewSql('artefacts').as('guardianView'),
      // …and under the title of the version guardians see (a pending edit's title is not theirs).
      seen.title.as('guardianTitle'),
      'artefacts.goalIds',
      // …and by the goals of that version: a pending move to other goals is not evidence for guardians yet.
      seen.goalIds.as('guardianGoalIds'),
      jsonArrayFrom(eb.selectFrom('projectTeachers').select('projectTeachers.userId').whereRef('projectTeachers.projectId', '=', 'artefacts.projectId')).as(
        'projectTeachers',
      ),
    ])
    .where('artefacts.ownerId', '=', pupilId)
    .where('artefacts.deletedAt', 'is', null);
  if ('goalId' in which)
    query = query.where((eb) =>
      eb.or([eb(eb.val(which.goalId), '=', eb.fn.any('artefacts.goalIds')), sql<boolean>`${which.goalId}::uuid = any(${seen.goalIds})`]),
    );
  else query = query.where('artefacts.id', 'in', which.ids.length ? [...which.ids] : ['00000000-0000-0000-0000-000000000000']);
  return query.orderBy('artefacts.createdAt', 'desc').orderBy('artefacts.id').execute();
}
export type PupilArtefactRow = Awaited<ReturnType<typeof pupilArtefacts>>[number];

/** One pupil's assessments on one goal, oldest first, with the assessor's name. */
export function assessmentRows(db: Db, goalId: string, pupilId: string, sharedOnly: boolean) {
  let query = db
    .selectFrom('goalAssessments')
    .leftJoin('users', 'users.id', 'goalAssessments.assessorId')
    .select([
      'goalAssessments.id',
      'goalAssessments.goalId',
      'goalAssessments.pupilId',
      'goalAssessments.kind',
      'goalAssessments.assessorId',
      'users.displayName as assessorName',
      'goalAssessments.importedAssessor',
      'goalAssessments.level',
      'goalAssessments.reflection',
      'goalAssessments.artefactIds',
      'goalAssessments.sharedWithGuardians',
      'goalAssessments.createdAt',
      'goalAssessments.voice',
    ])
    .where('goalAssessments.goalId', '=', goalId)
    .where('goalAssessments.pupilId', '=', pupilId);
  if (sharedOnly) query = query.where('goalAssessments.sharedWithGuardians', '=', true);
  return query.orderBy('goalAssessments.createdAt').orderBy('goalAssessments.id').execute();
}
export type AssessmentRow = Awaited<ReturnType<typeof assessmentRows>>[number];

export function findAssessment(db: Db, assessmentId: string) {
  return db.selectFrom('goalAssessments').select(['id', 'goalId', 'pupilId', 'sharedWithGuardians', 'voice']).where('id', '=', assessmentId).executeTakeFirst();
}
