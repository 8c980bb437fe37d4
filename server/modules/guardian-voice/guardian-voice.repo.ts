import { sql, type ColumnType, type Expression, type Generated } from 'kysely';
import type { GuardianCommentState, GuardianReaction } from '../../../shared/api/guardian-voice.ts';
import type { Db } from '../../db/database.ts';
import type { ImportedPerson } from '../../db/schema.ts';
import { artefactFacts, artefactFactsMany, type ArtefactFacts } from '../artefacts/artefacts.repo.ts';
import { guardianLinkInForce } from '../org/org.repo.ts';
import { guardianCommentSettingFor } from '../org/school-guardian-comments.ts';

/** Migrations 0037 and 0042 (issue 12 §2). Declared here, beside the module that alone reads and writes them. */
export type GuardianVoiceTables = {
  guardianComments: {
    id: Generated<string>;
    artefactId: string | null;
    showcaseId: string | null;
    pupilId: string;
    authorId: string | null;
    /** 0042: a name-only author brought in by an import (author_id is then null). */
    importedAuthor: ColumnType<ImportedPerson | null, string | null | undefined, string | null>;
    body: string;
    state: GuardianCommentState;
    createdAt: Generated<Date>;
    moderatedAt: Date | null;
    moderatedBy: string | null;
  };
  guardianReactions: {
    id: Generated<string>;
    artefactId: string | null;
    showcaseId: string | null;
    guardianId: string;
    reaction: GuardianReaction;
    createdAt: Generated<Date>;
  };
};
export const voiceDb = (db: Db) => db.withTables<GuardianVoiceTables>();

/** An artefact as guardian voice meets it (the policy's `guardianItem`); null when deleted or absent. */
export async function guardianItemFacts(db: Db, artefactId: string) {
  const facts = await artefactFacts(db, artefactId);
  if (!facts || facts.row.deletedAt) return null;
  return itemOf(facts, await guardianCommentSettingFor(db, { projectId: facts.row.projectId, ownerId: facts.row.ownerId }));
}
function itemOf(facts: ArtefactFacts, setting: Awaited<ReturnType<typeof guardianCommentSettingFor>>) {
  return { row: facts.row, resource: { type: 'guardianItem' as const, artefact: facts.resource, setting } };
}
export type GuardianItemFacts = NonNullable<Awaited<ReturnType<typeof guardianItemFacts>>>;

/** Comments with their authors' names and whether each author is a guardian of the pupil today; the caller filters them through the policy. */
export function selectGuardianComments(db: Db) {
  return voiceDb(db)
    .selectFrom('guardianComments as c')
    .leftJoin('users as u', 'u.id', 'c.authorId')
    .select((eb) => [
      'c.id',
      'c.artefactId',
      'c.pupilId',
      'c.authorId',
      'u.displayName as authorName',
      'c.body',
      'c.state',
      'c.createdAt',
      eb
        .exists(
          eb
            .selectFrom('guardianLinks')
            .select('guardianLinks.guardianId')
            .whereRef('guardianLinks.guardianId', '=', 'c.authorId')
            .whereRef('guardianLinks.pupilId', '=', 'c.pupilId')
            .where(guardianLinkInForce('guardianLinks.pupilId')),
        )
        .as('authorGuardsPupil'),
    ]);
}
export type GuardianCommentRow = Awaited<ReturnType<ReturnType<typeof selectGuardianComments>['execute']>>[number];

/** The policy resource of one comment row on its item. */
export const commentResource = (item: GuardianItemFacts, row: Pick<GuardianCommentRow, 'authorId' | 'authorGuardsPupil' | 'state'>) => ({
  type: 'guardianComment' as const,
  on: item.resource,
  authorId: row.authorId,
  authorGuardsPupil: Boolean(row.authorGuardsPupil),
  state: row.state,
});

/**
 * Comments by id with their items, for checks at read time (the notification centre): a fixed number of
 * queries for any number. Missing: absent, on a deleted item, or not on an artefact.
 */
export async function guardianCommentResources(db: Db, commentIds: readonly string[]) {
  const ids = [...new Set(commentIds)];
  const result = new Map<string, ReturnType<typeof commentResource>>();
  if (ids.length === 0) return result;
  const rows = await selectGuardianComments(db).where('c.id', 'in', ids).execute();
  const artefacts = await artefactFactsMany(
    db,
    rows.flatMap((r) => (r.artefactId ? [r.artefactId] : [])),
  );
  for (const row of rows) {
    const facts = row.artefactId ? artefacts.get(row.artefactId) : undefined;
    if (!facts || facts.row.deletedAt) continue;
    // The setting does not decide who sees a comment already written (seesGuardianComment); 'off' fills the shape.
    result.set(row.id, commentResource(itemOf(facts, 'off'), row));
  }
  return result;
}

/**
 * Reactions that count: those of a current guardian of the item's pupil (a link in force, see
 * guardianLinkInForce). A guardian whose link ended (an admin, a roster import, the 18th birthday)
 * keeps their rows, but they count no more, wherever the link ended; were the link made again, they would.
 */
export function countedGuardianReactions(db: Db) {
  return voiceDb(db)
    .selectFrom('guardianReactions as r')
    .innerJoin('artefacts as a', 'a.id', 'r.artefactId')
    .select(['r.artefactId', 'r.guardianId', 'r.reaction'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('guardianLinks')
          .select('guardianLinks.guardianId')
          .whereRef('guardianLinks.guardianId', '=', 'r.guardianId')
          .whereRef('guardianLinks.pupilId', '=', 'a.ownerId')
          .where(guardianLinkInForce('guardianLinks.pupilId')),
      ),
    );
}

// --- Portability (issue 12 §2 with the archive of §4): the export reads, and the import writes, guardian voice through these. ---

/** Shown guardian comments on the given artefacts (what their pupil sees), oldest first, with authors' names. */
export function exportedGuardianComments(db: Db, artefactIds: Expression<{ id: string }>) {
  return voiceDb(db)
    .selectFrom('guardianComments as c')
    .leftJoin('users as u', 'u.id', 'c.authorId')
    .select(['c.id', 'c.artefactId', 'c.authorId', 'u.displayName as authorName', 'c.importedAuthor', 'c.body', 'c.state', 'c.createdAt'])
    .where(sql<boolean>`c.artefact_id in (${artefactIds})`)
    .where('c.state', '=', 'shown')
    .orderBy('c.createdAt')
    .orderBy('c.id')
    .execute();
}

/** Reactions that count on the given artefacts, as numbers per reaction: who gave them is never read. */
export async function exportedGuardianReactionCounts(db: Db, artefactIds: Expression<{ id: string }>) {
  const rows = await db
    .selectFrom(
      countedGuardianReactions(db)
        .where(sql<boolean>`r.artefact_id in (${artefactIds})`)
        .as('x'),
    )
    .select((eb) => ['x.artefactId', 'x.reaction', eb.fn.countAll<string>().as('count')])
    .groupBy(['x.artefactId', 'x.reaction'])
    .execute();
  const counts = new Map<string, Partial<Record<GuardianReaction, number>>>();
  for (const r of rows) counts.set(r.artefactId ?? '', { ...counts.get(r.artefactId ?? ''), [r.reaction]: Number(r.count) });
  return counts;
}

export interface ImportedGuardianComment {
  /** The archive's id, kept where no comment here has it (then a new one). */
  id: string;
  artefactId: string;
  pupilId: string;
  importedAuthor: ImportedPerson | null;
  body: string;
  createdAt: Date | null;
}
/** Imported guardian comments: always shown, the author a name only (never an account here), on the target pupil's work. */
export async function insertImportedGuardianComments(trx: Db, rows: readonly ImportedGuardianComment[]): Promise<void> {
  if (rows.length === 0) return;
  const taken = new Set(
    (
      await voiceDb(trx)
        .selectFrom('guardianComments')
        .select('id')
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute()
    ).map((r) => r.id),
  );
  // An id is kept once: one taken here, or said twice by the archive, gets a new one.
  const keep = (id: string) => !taken.has(id) && Boolean(taken.add(id));
  await voiceDb(trx)
    .insertInto('guardianComments')
    .values(
      rows.map((r) => ({
        ...(keep(r.id) ? { id: r.id } : {}),
        artefactId: r.artefactId,
        pupilId: r.pupilId,
        authorId: null,
        importedAuthor: r.importedAuthor ? JSON.stringify(r.importedAuthor) : null,
        body: r.body,
        state: 'shown' as const,
        ...(r.createdAt ? { createdAt: r.createdAt } : {}),
      })),
    )
    .execute();
}
