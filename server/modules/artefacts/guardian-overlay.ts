import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { ArtefactRow } from './artefacts.repo.ts';

/**
 * Issue 12 §1: while an edit of an approved item waits for a teacher, guardians keep seeing the last
 * approved version. Rows whose `guardianVersion` is older than the current one get that version's
 * content (title, text, links, tags and files) and placement (project, phase, goals, subjects, competences: a move
 * waits for approval too) from its snapshot; two queries for any page.
 */
export async function asGuardiansSee<R extends ArtefactRow>(db: Db, rows: readonly (R & { guardianVersion?: number | null })[]): Promise<R[]> {
  const older = rows.filter((r) => r.guardianVersion != null && r.guardianVersion !== r.version);
  if (older.length === 0) return [...rows];
  const snapshots = await db
    .selectFrom('artefactVersions')
    .select([
      'artefactId',
      'version',
      'snapshot',
      // The snapshot's phase and goals as far as they still exist: a teacher may have removed them since
      // (dropGoalIds and the phase's `on delete set null` change only the current row).
      sql<string | null>`(select pp.id from project_phases pp where pp.id = (snapshot ->> 'phaseId')::uuid)`.as('phaseId'),
      sql<string[]>`array(select g.id from jsonb_array_elements_text(coalesce(snapshot -> 'goalIds', '[]'::jsonb)) with ordinality as g(id, n)
        where exists (select 1 from project_goals pg where pg.id::text = g.id) order by g.n)`.as('goalIds'),
    ])
    .where((eb) => eb.or(older.map((r) => eb.and([eb('artefactId', '=', r.id), eb('version', '=', r.guardianVersion as number)]))))
    .execute();
  const byArtefact = new Map(snapshots.map((s) => [s.artefactId, s]));
  const mediaIds = [...new Set(snapshots.flatMap((s) => s.snapshot.mediaIds))];
  const media =
    mediaIds.length === 0
      ? []
      : await db
          .selectFrom('mediaItems')
          .select(['id', 'kind', 'mime', 'size', 'originalName', 'width', 'height', 'durationMs', 'variants'])
          .where('id', 'in', mediaIds)
          .execute();
  const mediaById = new Map(media.map((m) => [m.id, m]));
  return rows.flatMap((row) => {
    if (row.guardianVersion == null || row.guardianVersion === row.version) return [row];
    const snap = byArtefact.get(row.id);
    // No snapshot of the approved version: show nothing rather than the unapproved state.
    if (!snap) return [];
    const s = snap.snapshot;
    return [
      {
        ...row,
        title: s.title,
        bodyHtml: s.bodyHtml,
        links: s.links,
        tags: s.tags ?? [],
        projectId: s.projectId,
        phaseId: snap.phaseId,
        goalIds: snap.goalIds,
        subjectCodes: s.subjectCodes,
        competenceIds: s.competenceIds,
        version: snap.version,
        media: s.mediaIds.flatMap((id) => {
          const m = mediaById.get(id);
          return m ? [m] : [];
        }),
      },
    ];
  });
}
