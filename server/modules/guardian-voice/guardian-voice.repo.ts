import { sql, type ColumnType, type Expression, type Generated } from 'kysely';
import type { GuardianCommentState, GuardianReaction, GuardianSubject, GuardianSubjectType } from '../../../shared/api/guardian-voice.ts';
import type { Db } from '../../db/database.ts';
import type { ImportedPerson } from '../../db/schema.ts';
import { artefactFacts, artefactFactsMany, audienceFacts, type ArtefactFacts } from '../artefacts/artefacts.repo.ts';
import { guardianLinkInForce } from '../org/org.repo.ts';
import { guardianCommentSettingFor } from '../org/school-guardian-comments.ts';
import { showcasesDb, type ShowcaseTables } from '../showcases/showcase-tables.ts';
import { showcaseFacts, showcaseFactsMany, type ShowcaseFacts } from '../showcases/showcases.repo.ts';

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
/** With the showcases' tables too: an item is an artefact or a showcase (issue 12 §3). */
const itemsDb = (db: Db) => voiceDb(db).withTables<ShowcaseTables>();

type Setting = Awaited<ReturnType<typeof guardianCommentSettingFor>>;

/** An item (an artefact, or a showcase: issue 12 §3) as guardian voice meets it: the policy's `guardianItem`, its owner and title. */
function artefactItem(facts: ArtefactFacts, setting: Setting) {
  return {
    subject: { type: 'artefact', id: facts.row.id } satisfies GuardianSubject,
    ownerId: facts.row.ownerId,
    resource: { type: 'guardianItem' as const, subject: 'artefact' as const, artefact: facts.resource, setting },
  };
}
function showcaseItem(facts: ShowcaseFacts, setting: Setting) {
  return {
    subject: { type: 'showcase', id: facts.row.id } satisfies GuardianSubject,
    ownerId: facts.row.ownerId,
    resource: { type: 'guardianItem' as const, subject: 'showcase' as const, showcase: facts.resource, setting },
  };
}
export type GuardianItemFacts = ReturnType<typeof artefactItem> | ReturnType<typeof showcaseItem>;

/**
 * The item with the school setting that applies to it (its project's school, else the strictest of its
 * owner's: guardianCommentSettingFor, the same for both kinds); null when deleted or absent.
 */
export async function guardianItemFacts(db: Db, subject: GuardianSubject): Promise<GuardianItemFacts | null> {
  if (subject.type === 'showcase') {
    const facts = await showcaseFacts(db, subject.id);
    if (!facts) return null;
    return showcaseItem(facts, await guardianCommentSettingFor(db, { projectId: facts.row.projectId, ownerId: facts.row.ownerId }));
  }
  const facts = await artefactFacts(db, subject.id);
  if (!facts || facts.row.deletedAt) return null;
  return artefactItem(facts, await guardianCommentSettingFor(db, { projectId: facts.row.projectId, ownerId: facts.row.ownerId }));
}

/** The item's title now (for a notification's summary). */
export async function guardianItemTitle(db: Db, subject: GuardianSubject): Promise<string> {
  const row =
    subject.type === 'showcase'
      ? await showcasesDb(db).selectFrom('showcases').select('title').where('id', '=', subject.id).executeTakeFirstOrThrow()
      : await db.selectFrom('artefacts').select('title').where('id', '=', subject.id).executeTakeFirstOrThrow();
  return row.title;
}

/** The column that names an item of the subject's kind, in guardian_comments and guardian_reactions alike. */
export const subjectColumn = (type: GuardianSubjectType) => (type === 'showcase' ? 'showcaseId' : 'artefactId') as 'artefactId' | 'showcaseId';
/** The subject a comment or reaction row is on. */
export const subjectOf = (row: { artefactId: string | null; showcaseId: string | null }): GuardianSubject | null =>
  row.artefactId ? { type: 'artefact', id: row.artefactId } : row.showcaseId ? { type: 'showcase', id: row.showcaseId } : null;
/** The wire form of an item's id: `artefactId` or `showcaseId`. */
export const subjectIds = (subject: GuardianSubject) => (subject.type === 'showcase' ? { showcaseId: subject.id } : { artefactId: subject.id });

/** Comments with their authors' names and whether each author is a guardian of the pupil today; the caller filters them through the policy. */
export function selectGuardianComments(db: Db) {
  return itemsDb(db)
    .selectFrom('guardianComments as c')
    .leftJoin('users as u', 'u.id', 'c.authorId')
    .select((eb) => [
      'c.id',
      'c.artefactId',
      'c.showcaseId',
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
 * Comments by id with their items, for checks at read time (the notification centre, the moderation list):
 * a fixed number of queries for any number. Missing: absent, or on a deleted item.
 */
export async function guardianCommentResources(db: Db, commentIds: readonly string[]) {
  const ids = [...new Set(commentIds)];
  // With the item each comment is on: a caller holding an item id beside a comment id (a notification) checks they agree.
  const result = new Map<string, ReturnType<typeof commentResource> & { subject: GuardianSubject }>();
  if (ids.length === 0) return result;
  const rows = await selectGuardianComments(db).where('c.id', 'in', ids).execute();
  const [artefacts, showcases] = await Promise.all([
    artefactFactsMany(
      db,
      rows.flatMap((r) => (r.artefactId ? [r.artefactId] : [])),
    ),
    showcaseFactsMany(
      db,
      rows.flatMap((r) => (r.showcaseId ? [r.showcaseId] : [])),
    ),
  ]);
  for (const row of rows) {
    // The setting does not decide who sees a comment already written (seesGuardianComment); 'off' fills the shape.
    const a = row.artefactId ? artefacts.get(row.artefactId) : undefined;
    const s = row.showcaseId ? showcases.get(row.showcaseId) : undefined;
    const item = a && !a.row.deletedAt ? artefactItem(a, 'off') : s ? showcaseItem(s, 'off') : null;
    if (item) result.set(row.id, { ...commentResource(item, row), subject: item.subject });
  }
  return result;
}

/** Who may hear of the item, as facts for the policy's audiences: the teachers of the owner's groups and the owner's guardians (links in force). */
export const guardianItemAudienceFacts = (db: Db, item: GuardianItemFacts) => audienceFacts(db, item.ownerId);

/**
 * Held and reported comments on the work (artefacts not deleted, and showcases) of pupils a teacher may teach:
 * of the teacher's groups, or of a project the teacher teaches (the artefact's or the showcase's own, as
 * showcase.read). A scope only: the caller checks each row with the policy.
 */
export function pendingGuardianComments(db: Db, teacherId: string, teacherGroupIds: readonly string[]) {
  return selectGuardianComments(db)
    .leftJoin('artefacts as a', 'a.id', 'c.artefactId')
    .leftJoin('showcases as s', 's.id', 'c.showcaseId')
    .innerJoin('users as o', (j) => j.on(sql<boolean>`o.id = coalesce(a.owner_id, s.owner_id)`))
    .select(['o.id as ownerId', 'o.displayName as ownerName', sql<string>`coalesce(a.title, s.title)`.as('artefactTitle')])
    .where('a.deletedAt', 'is', null)
    .where('c.state', 'in', ['held', 'reported'])
    .where((eb) =>
      eb.or([
        eb.exists(eb.selectFrom('projectTeachers as pt').select('pt.userId').whereRef('pt.projectId', '=', 'a.projectId').where('pt.userId', '=', teacherId)),
        eb.exists(eb.selectFrom('projectTeachers as pt').select('pt.userId').whereRef('pt.projectId', '=', 's.projectId').where('pt.userId', '=', teacherId)),
        ...(teacherGroupIds.length
          ? [
              eb.exists(
                eb
                  .selectFrom('memberships as m')
                  .select('m.groupId')
                  .whereRef('m.userId', '=', 'o.id')
                  .where('m.role', '=', 'pupil')
                  .where('m.groupId', 'in', [...teacherGroupIds]),
              ),
            ]
          : []),
      ]),
    )
    .orderBy('c.createdAt')
    .limit(200)
    .execute();
}

/**
 * Reactions that count: those of a current guardian of the item's pupil (a link in force, see
 * guardianLinkInForce). A guardian whose link ended (an admin, a roster import, the 18th birthday)
 * keeps their rows, but they count no more, wherever the link ended; were the link made again, they would.
 */
export function countedGuardianReactions(db: Db) {
  return itemsDb(db)
    .selectFrom('guardianReactions as r')
    .leftJoin('artefacts as a', 'a.id', 'r.artefactId')
    .leftJoin('showcases as s', 's.id', 'r.showcaseId')
    .select(['r.artefactId', 'r.showcaseId', 'r.guardianId', 'r.reaction'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('guardianLinks')
          .select('guardianLinks.guardianId')
          .whereRef('guardianLinks.guardianId', '=', 'r.guardianId')
          // The item's owner: exactly one of the two joins found a row.
          .where('guardianLinks.pupilId', '=', sql<string>`coalesce(a.owner_id, s.owner_id)`)
          .where(guardianLinkInForce('guardianLinks.pupilId')),
      ),
    );
}

// --- Portability (issue 12 §2 with the archive of §4): the export reads, and the import writes, guardian voice through these. ---

/** The items an export holds: its artefacts and its showcases, each as a subquery of ids. */
export interface ExportedItems {
  artefactIds: Expression<{ id: string }>;
  showcaseIds: Expression<{ id: string }>;
}
const onExportedItem = (items: ExportedItems, alias: 'c' | 'r') =>
  sql<boolean>`(${sql.ref(`${alias}.artefact_id`)} in (${items.artefactIds}) or ${sql.ref(`${alias}.showcase_id`)} in (${items.showcaseIds}))`;

/** Shown guardian comments on the given items (what their pupil sees), oldest first, with authors' names. */
export function exportedGuardianComments(db: Db, items: ExportedItems) {
  return voiceDb(db)
    .selectFrom('guardianComments as c')
    .leftJoin('users as u', 'u.id', 'c.authorId')
    .select(['c.id', 'c.artefactId', 'c.showcaseId', 'c.authorId', 'u.displayName as authorName', 'c.importedAuthor', 'c.body', 'c.state', 'c.createdAt'])
    .where(onExportedItem(items, 'c'))
    .where('c.state', '=', 'shown')
    .orderBy('c.createdAt')
    .orderBy('c.id')
    .execute();
}

/** Reactions that count on the given items, as numbers per reaction by item id (an artefact's or a showcase's): who gave them is never read. */
export async function exportedGuardianReactionCounts(db: Db, items: ExportedItems) {
  const rows = await db
    .selectFrom(countedGuardianReactions(db).where(onExportedItem(items, 'r')).as('x'))
    .select((eb) => ['x.artefactId', 'x.showcaseId', 'x.reaction', eb.fn.countAll<string>().as('count')])
    .groupBy(['x.artefactId', 'x.showcaseId', 'x.reaction'])
    .execute();
  const counts = new Map<string, Partial<Record<GuardianReaction, number>>>();
  for (const r of rows) {
    const id = r.artefactId ?? r.showcaseId ?? '';
    counts.set(id, { ...counts.get(id), [r.reaction]: Number(r.count) });
  }
  return counts;
}

export interface ImportedGuardianComment {
  /** The archive's id, kept where no comment here has it (then a new one). */
  id: string;
  /** The item: an artefact or a showcase (issue 12 §3) this import created; exactly one is set. */
  artefactId?: string;
  showcaseId?: string;
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
        artefactId: r.artefactId ?? null,
        showcaseId: r.showcaseId ?? null,
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
