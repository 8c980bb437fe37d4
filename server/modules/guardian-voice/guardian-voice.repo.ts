import type { Generated } from 'kysely';
import type { GuardianCommentState, GuardianReaction } from '../../../shared/api/guardian-voice.ts';
import type { Db } from '../../db/database.ts';
import { artefactFacts, artefactFactsMany, type ArtefactFacts } from '../artefacts/artefacts.repo.ts';
import { guardianLinkInForce } from '../org/org.repo.ts';
import { guardianCommentSettingFor } from '../org/school-guardian-comments.ts';

/** Migration 0037 (issue 12 §2). Declared here, beside the module that alone reads and writes them. */
export type GuardianVoiceTables = {
  guardianComments: {
    id: Generated<string>;
    artefactId: string | null;
    showcaseId: string | null;
    pupilId: string;
    authorId: string | null;
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
