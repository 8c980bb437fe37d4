import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../../db/database.ts';
import type { artefactFacts } from './artefacts.repo.ts';

export type ArtefactFacts = NonNullable<Awaited<ReturnType<typeof artefactFacts>>>;

/**
 * `artefactFacts` for many artefacts in one query (a page of notifications checks each subject again).
 * Absent artefacts are missing from the map; deleted ones are in it with `deletedAt` set, as there.
 */
export async function artefactFactsMany(db: Db, artefactIds: readonly string[]): Promise<Map<string, ArtefactFacts>> {
  const ids = [...new Set(artefactIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('artefacts')
    .select((eb) => [
      'artefacts.id',
      'artefacts.ownerId',
      'artefacts.projectId',
      'artefacts.visibility',
      'artefacts.status',
      'artefacts.deletedAt',
      jsonArrayFrom(
        eb
          .selectFrom('memberships')
          .select('memberships.groupId')
          .whereRef('memberships.userId', '=', 'artefacts.ownerId')
          .where('memberships.role', '=', 'pupil'),
      ).as('ownerGroups'),
      jsonArrayFrom(eb.selectFrom('projectTeachers').select('projectTeachers.userId').whereRef('projectTeachers.projectId', '=', 'artefacts.projectId')).as(
        'projectTeachers',
      ),
    ])
    .where('artefacts.id', 'in', ids)
    .execute();
  return new Map(
    rows.map((row) => [
      row.id,
      {
        row,
        resource: {
          type: 'artefact' as const,
          ownerId: row.ownerId,
          ownerGroupIds: row.ownerGroups.map((g) => g.groupId),
          projectTeacherIds: row.projectTeachers.map((t) => t.userId),
          visibility: row.visibility,
        },
      },
    ]),
  );
}
