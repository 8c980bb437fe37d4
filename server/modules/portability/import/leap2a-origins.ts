import type { Db } from '../../../db/database.ts';

export interface ExistingOrigins {
  artefacts: Map<string, string>;
  projects: Map<string, string>;
}

/**
 * What an earlier import from this feed left in the target pupil's portfolio, by origin id. Only the
 * target pupil's: another pupil's import of the same feed (or a feed reusing its ids) neither marks
 * entries "imported before" nor receives work. A new account has nothing yet.
 */
export async function existingOrigins(db: Db, pupilId: string | null, schoolId: string | null, source: string): Promise<ExistingOrigins> {
  const artefacts = new Map<string, string>();
  const projects = new Map<string, string>();
  if (!pupilId) return { artefacts, projects };
  const rows = await db
    .selectFrom('artefacts')
    .select(['id', 'origin'])
    .where('ownerId', '=', pupilId)
    .where('origin', 'is not', null)
    .where('deletedAt', 'is', null)
    .execute();
  for (const r of rows) if (r.origin?.source === source) artefacts.set(r.origin.id, r.id);
  if (schoolId) {
    // The pupil's own imported projects: ones holding their work and no one else's, so that a feed
    // naming a project by its origin id cannot file work into a project another pupil also uses.
    const projectRows = await db
      .selectFrom('projects')
      .select(['id', 'origin'])
      .where('schoolId', '=', schoolId)
      .where('origin', 'is not', null)
      .where('id', 'in', db.selectFrom('artefacts').select('artefacts.projectId').where('artefacts.ownerId', '=', pupilId))
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('artefacts as other').select('other.id').whereRef('other.projectId', '=', 'projects.id').where('other.ownerId', '!=', pupilId))),
      )
      .execute();
    for (const r of projectRows) if (r.origin?.source === source) projects.set(r.origin.id, r.id);
  }
  return { artefacts, projects };
}
