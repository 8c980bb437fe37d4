import type { Db } from '../../../db/database.ts';
import { ImportRejected } from './import-rejected.ts';

export type ImportTarget = { kind: 'existing'; pupilId: string } | { kind: 'new'; schoolId: string; username?: string; displayName?: string; groupId?: string };

/** The target checked against the database; for a new account the names are settled when writing. */
export type ResolvedTarget =
  | { kind: 'existing'; pupilId: string; schoolId: string }
  /** groupId: the group of the school the new pupil joins (checked again when written), or null. */
  | { kind: 'new'; schoolId: string; username: string; displayName: string; groupId: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whose portfolio receives the import. Access decisions are the caller's (policy.ts); this checks that the target exists. */
export async function resolveExisting(db: Db, target: ImportTarget): Promise<{ pupilId: string; schoolId: string } | null> {
  if (target.kind !== 'existing') {
    if (!UUID.test(target.schoolId) || !(await db.selectFrom('schools').select('id').where('id', '=', target.schoolId).executeTakeFirst())) {
      throw new ImportRejected('target-invalid', { context: 'school' });
    }
    // Before anything is read or stored; the writer checks again in its transaction.
    if (
      target.groupId !== undefined &&
      !(
        UUID.test(target.groupId) &&
        (await db.selectFrom('groups').select('id').where('id', '=', target.groupId).where('schoolId', '=', target.schoolId).executeTakeFirst())
      )
    ) {
      throw new ImportRejected('target-invalid', { context: 'group' });
    }
    return null;
  }
  const row = UUID.test(target.pupilId)
    ? await db
        .selectFrom('schoolRoles')
        .innerJoin('users', 'users.id', 'schoolRoles.userId')
        .select(['schoolRoles.userId', 'schoolRoles.schoolId'])
        .where('schoolRoles.userId', '=', target.pupilId)
        .where('schoolRoles.role', '=', 'pupil')
        .orderBy('schoolRoles.createdAt')
        .executeTakeFirst()
    : undefined;
  if (!row) throw new ImportRejected('target-invalid', {});
  return { pupilId: row.userId, schoolId: row.schoolId };
}

/** A sign-in name from what the archive knows: lower case a–z, digits and . _ - only. */
export function usernameFrom(wanted: string | undefined, fallbackName: string): string {
  // Bounded first: an archive's username has no length limit, and trimming a run of dots off the end
  // costs the square of the run (an 80,000-character name took 10 s on the event loop).
  const source = (wanted && wanted.trim() ? wanted : fallbackName).slice(0, 400);
  const slug = source
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._@-]+/g, '.')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/\.+$/, '')
    .slice(0, 90);
  return slug.length >= 2 ? slug : `pupil.${slug || 'import'}`;
}
