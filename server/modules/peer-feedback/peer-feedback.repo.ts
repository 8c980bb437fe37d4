import { sql, type ColumnType, type Expression, type Generated } from 'kysely';
import type { PeerFeedbackState, PeerModeration } from '../../../shared/api/peer-feedback.ts';
import type { Db } from '../../db/database.ts';
import type { ImportedPerson } from '../../db/schema.ts';
import { artefactFacts } from '../artefacts/artefacts.repo.ts';

/** Migration 0028 (issue 10 §5). Declared here, beside the module that alone reads and writes them. */
export type PeerTables = {
  projectPeerSettings: { projectId: string; moderation: PeerModeration; updatedAt: Generated<Date> };
  artefactPeerShares: { artefactId: string; sharedAt: Generated<Date> };
  peerFeedback: {
    id: Generated<string>;
    artefactId: string;
    authorId: string | null;
    importedAuthor: ColumnType<ImportedPerson | null, string | null | undefined, string | null>;
    star1: string;
    star2: string;
    wish: string;
    state: PeerFeedbackState;
    createdAt: Generated<Date>;
    moderatedAt: Date | null;
    moderatedBy: string | null;
  };
};
export type PeerDb = ReturnType<typeof peerDb>;
export const peerDb = (db: Db) => db.withTables<PeerTables>();

/** An artefact's peer facts for the policy: its own facts, its project's groups and setting, and whether it is shared. Null when deleted or absent. */
export async function peerArtefactFacts(db: Db, artefactId: string) {
  const facts = await artefactFacts(db, artefactId);
  if (!facts || facts.row.deletedAt) return null;
  const projectId = facts.row.projectId;
  const pdb = peerDb(db);
  const [groups, setting, share] = projectId
    ? await Promise.all([
        db.selectFrom('projectGroups').select('groupId').where('projectId', '=', projectId).execute(),
        pdb.selectFrom('projectPeerSettings').select('moderation').where('projectId', '=', projectId).executeTakeFirst(),
        pdb.selectFrom('artefactPeerShares').select('sharedAt').where('artefactId', '=', artefactId).executeTakeFirst(),
      ])
    : [[], undefined, undefined];
  return {
    row: facts.row,
    projectId,
    moderation: setting?.moderation ?? null,
    sharedAt: share?.sharedAt ?? null,
    resource: {
      type: 'peerArtefact' as const,
      artefact: facts.resource,
      projectGroupIds: groups.map((g) => g.groupId),
      allowed: setting !== undefined,
      shared: share !== undefined,
    },
  };
}
export type PeerArtefactFacts = NonNullable<Awaited<ReturnType<typeof peerArtefactFacts>>>;

/** Who may hear of peer messages on an owner's work: teachers of the owner's and the project's groups, and the pupils of the project's groups. */
export async function peerAudienceFacts(db: Db, ownerId: string, projectGroupIds: readonly string[]) {
  const [teachers, pupils] = await Promise.all([
    db
      .selectFrom('memberships as t')
      .innerJoin('memberships as p', 'p.groupId', 't.groupId')
      .select('t.userId')
      .distinct()
      .where((eb) =>
        eb.or([
          eb.and([eb('p.userId', '=', ownerId), eb('p.role', '=', 'pupil')]),
          ...(projectGroupIds.length ? [eb('p.groupId', 'in', projectGroupIds)] : []),
        ]),
      )
      .where('t.role', '=', 'teacher')
      .execute(),
    projectGroupIds.length
      ? db.selectFrom('memberships').select(['userId', 'groupId']).where('groupId', 'in', projectGroupIds).where('role', '=', 'pupil').execute()
      : Promise.resolve([]),
  ]);
  const byPupil = new Map<string, string[]>();
  for (const p of pupils) byPupil.set(p.userId, [...(byPupil.get(p.userId) ?? []), p.groupId]);
  return {
    groupTeacherIds: teachers.map((t) => t.userId),
    projectPupils: [...byPupil].map(([id, groupIds]) => ({ id, groupIds })),
  };
}

/** Peer messages with their authors' names; the caller filters them through the policy. */
export function selectPeerFeedback(db: Db) {
  return peerDb(db)
    .selectFrom('peerFeedback')
    .leftJoin('users', 'users.id', 'peerFeedback.authorId')
    .select([
      'peerFeedback.id',
      'peerFeedback.artefactId',
      'peerFeedback.authorId',
      'users.displayName as authorName',
      'peerFeedback.importedAuthor',
      'peerFeedback.star1',
      'peerFeedback.star2',
      'peerFeedback.wish',
      'peerFeedback.state',
      'peerFeedback.createdAt',
    ]);
}
export type PeerFeedbackRow = Awaited<ReturnType<ReturnType<typeof selectPeerFeedback>['execute']>>[number];

// --- Portability (issue 10 §8): the export reads, and the import writes, peer feedback through these. ---
/** Peer feedback received on the given artefacts that their owner may see (shown), oldest first. */
export function receivedPeerFeedback(db: Db, artefactIds: Expression<{ id: string }>) {
  return peerDb(db)
    .selectFrom('peerFeedback')
    .select(['id', 'artefactId', 'authorId', 'importedAuthor', 'star1', 'star2', 'wish', 'state', 'createdAt'])
    .where(sql<boolean>`artefact_id in (${artefactIds})`)
    .where('state', '=', 'shown')
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
}

export interface ImportedPeerFeedback {
  artefactId: string;
  importedAuthor: ImportedPerson | null;
  star1: string;
  star2: string;
  wish: string;
  createdAt: Date | null;
}
/** Imported peer feedback: always shown, its author a name only (never an account here). */
export async function insertImportedPeerFeedback(trx: Db, rows: readonly ImportedPeerFeedback[]): Promise<void> {
  if (rows.length === 0) return;
  await peerDb(trx)
    .insertInto('peerFeedback')
    .values(
      rows.map((r) => ({
        artefactId: r.artefactId,
        authorId: null,
        importedAuthor: r.importedAuthor ? JSON.stringify(r.importedAuthor) : null,
        star1: r.star1,
        star2: r.star2,
        wish: r.wish,
        state: 'shown' as const,
        ...(r.createdAt ? { createdAt: r.createdAt } : {}),
      })),
    )
    .execute();
}
