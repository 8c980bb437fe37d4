import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../../db/database.ts';
import type { ArtefactLink } from '../../db/schema.ts';
import type { MediaKind, MediaVariant } from '../../../shared/portfolio.ts';
import type { ArtefactKind } from '../../../shared/portfolio.ts';
import { guardianLinkInForce } from '../org/org.repo.ts';
import { showcaseApprovalRequiredSql, showcaseGuardianApprovedSql } from '../guardian-sharing/guardian-sharing.sql.ts';
import { showcasesDb, type ShowcasesDb, type ShowcaseTemplateSlot } from './showcase-tables.ts';

/** Items sit at 0..n-1; a row is parked above this while the order is rewritten (the table's unique (showcase, position) is not deferrable). */
const PARKED = 1000;

/** A showcase's row with what the policy needs: the owner's groups and teachers, and its project's groups. Many at once. */
function showcaseFactsQuery(db: Db) {
  return showcasesDb(db)
    .selectFrom('showcases as s')
    .innerJoin('users as o', 'o.id', 's.ownerId')
    .select((eb) => [
      's.id',
      's.ownerId',
      'o.displayName as ownerName',
      's.title',
      's.introHtml',
      's.visibility',
      's.projectId',
      's.templateId',
      's.origin',
      's.createdAt',
      's.updatedAt',
      jsonArrayFrom(eb.selectFrom('memberships as m').select('m.groupId').whereRef('m.userId', '=', 's.ownerId').where('m.role', '=', 'pupil')).as(
        'ownerGroups',
      ),
      // The teachers of the showcase's own project while its owner takes part in it (attack review 16: not of every
      // project she takes part in, which any teacher could make by naming her group).
      jsonArrayFrom(
        eb
          .selectFrom('projectTeachers as pt')
          .select('pt.userId')
          .whereRef('pt.projectId', '=', 's.projectId')
          .where((w) =>
            w.exists(
              w
                .selectFrom('projectGroups as pg')
                .innerJoin('memberships as m', 'm.groupId', 'pg.groupId')
                .select('m.userId')
                .whereRef('pg.projectId', '=', 's.projectId')
                .whereRef('m.userId', '=', 's.ownerId')
                .where('m.role', '=', 'pupil'),
            ),
          ),
      ).as('projectTeachers'),
      jsonArrayFrom(eb.selectFrom('projectGroups as g').select('g.groupId').whereRef('g.projectId', '=', 's.projectId')).as('projectGroups'),
      // Issue 12 §1: the school rule that applies to the showcase (its project's school, else any of the owner's; or any of its works').
      showcaseApprovalRequiredSql('s').as('guardianApprovalRequired'),
      // ... and whether a teacher approved its present content (the fingerprint), which that rule then asks for.
      showcaseGuardianApprovedSql('s').as('guardianApproved'),
    ]);
}
type ShowcaseFactsRow = Awaited<ReturnType<ReturnType<typeof showcaseFactsQuery>['executeTakeFirstOrThrow']>>;

function factsOf(row: ShowcaseFactsRow) {
  return {
    row,
    resource: {
      type: 'showcase' as const,
      ownerId: row.ownerId,
      ownerGroupIds: row.ownerGroups.map((g) => g.groupId),
      projectTeacherIds: row.projectTeachers.map((t) => t.userId),
      visibility: row.visibility,
      // Only a showcase shared with its project lets the project's pupils in; otherwise its project is just where it came from.
      projectGroupIds: row.projectGroups.map((g) => g.groupId),
      guardianApprovalRequired: row.guardianApprovalRequired === true,
      guardianApproved: row.guardianApproved === true,
    },
  };
}
export type ShowcaseFacts = ReturnType<typeof factsOf>;

export async function showcaseFacts(db: Db, showcaseId: string): Promise<ShowcaseFacts | null> {
  const row = await showcaseFactsQuery(db).where('s.id', '=', showcaseId).executeTakeFirst();
  return row ? factsOf(row) : null;
}

/** `showcaseFacts` for many showcases in one query (a page of notifications or guardian comments is checked again); absent ones are missing. */
export async function showcaseFactsMany(db: Db, showcaseIds: readonly string[]): Promise<Map<string, ShowcaseFacts>> {
  const ids = [...new Set(showcaseIds)];
  if (ids.length === 0) return new Map();
  const rows = await showcaseFactsQuery(db).where('s.id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, factsOf(row)]));
}

/**
 * Whether a reader sees an item (items `i` of showcases `s`, their artefacts `a` left-joined): a text block, or
 * a work not deleted that is the showcase owner's own. Every writer checks ownership; this holds it for every
 * reader too, so an item naming someone else's work (however it got there) shows nothing of it.
 */
const shownItem = sql<boolean>`(i.artefact_id is null or (a.deleted_at is null and a.owner_id = s.owner_id))`;

/** Facts of many showcases, newest change first, for lists (filtered by the policy afterwards). */
export async function showcaseFactsWhere(
  db: Db,
  where: { ownerId?: string; projectId?: string; visibility?: 'project' },
  limit: number,
): Promise<ShowcaseFacts[]> {
  let q = showcaseFactsQuery(db);
  if (where.ownerId) q = q.where('s.ownerId', '=', where.ownerId);
  if (where.projectId) q = q.where('s.projectId', '=', where.projectId);
  if (where.visibility) q = q.where('s.visibility', '=', where.visibility);
  const rows = await q.orderBy('s.updatedAt', 'desc').orderBy('s.id').limit(limit).execute();
  return rows.map(factsOf);
}

/** Items per showcase that a reader sees (soft-deleted artefacts left out). */
export async function itemCounts(db: Db, showcaseIds: readonly string[]): Promise<Map<string, number>> {
  if (showcaseIds.length === 0) return new Map();
  const rows = await showcasesDb(db)
    .selectFrom('showcaseItems as i')
    .innerJoin('showcases as s', 's.id', 'i.showcaseId')
    .leftJoin('artefacts as a', 'a.id', 'i.artefactId')
    .select(['i.showcaseId', (eb) => eb.fn.countAll<string>().as('n')])
    .where('i.showcaseId', 'in', [...showcaseIds])
    .where(shownItem)
    .groupBy('i.showcaseId')
    .execute();
  return new Map(rows.map((r) => [r.showcaseId, Number(r.n)]));
}

export interface ShowcaseItemRow {
  id: string;
  position: number;
  artefactId: string | null;
  heading: string;
  bodyHtml: string;
  templateSlot: number | null;
  artefact: {
    id: string;
    ownerId: string;
    kind: ArtefactKind;
    title: string;
    bodyHtml: string;
    links: ArtefactLink[];
    projectId: string | null;
    createdAt: Date;
    media: Array<{
      id: string;
      kind: MediaKind;
      mime: string;
      size: number | string;
      originalName: string | null;
      width: number | null;
      height: number | null;
      durationMs: number | null;
      variants: Partial<Record<MediaVariant, string>>;
    }>;
  } | null;
}

/**
 * A showcase's items in order, each artefact with its current content and the media now on it, in one query.
 * Items whose artefact is deleted (soft) are left out: they come back if it is restored.
 */
export async function showcaseItemRows(db: Db, showcaseId: string): Promise<ShowcaseItemRow[]> {
  const rows = await showcasesDb(db)
    .selectFrom('showcaseItems as i')
    .innerJoin('showcases as s', 's.id', 'i.showcaseId')
    .leftJoin('artefacts as a', 'a.id', 'i.artefactId')
    .select((eb) => [
      'i.id',
      'i.position',
      'i.artefactId',
      'i.heading',
      'i.bodyHtml',
      'i.templateSlot',
      'a.ownerId as aOwnerId',
      'a.kind as aKind',
      'a.title as aTitle',
      'a.bodyHtml as aBodyHtml',
      'a.links as aLinks',
      'a.projectId as aProjectId',
      'a.createdAt as aCreatedAt',
      jsonArrayFrom(
        eb
          .selectFrom('mediaItems as m')
          .select(['m.id', 'm.kind', 'm.mime', 'm.size', 'm.originalName', 'm.width', 'm.height', 'm.durationMs', 'm.variants'])
          .whereRef('m.artefactId', '=', 'i.artefactId')
          .where('m.removedAt', 'is', null)
          .orderBy('m.position'),
      ).as('media'),
    ])
    .where('i.showcaseId', '=', showcaseId)
    .where(shownItem)
    .orderBy('i.position')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    position: r.position,
    artefactId: r.artefactId,
    heading: r.heading,
    bodyHtml: r.bodyHtml,
    templateSlot: r.templateSlot,
    artefact:
      r.artefactId && r.aOwnerId && r.aKind && r.aTitle !== null && r.aCreatedAt
        ? {
            id: r.artefactId,
            ownerId: r.aOwnerId,
            kind: r.aKind,
            title: r.aTitle,
            bodyHtml: r.aBodyHtml ?? '',
            links: r.aLinks ?? [],
            projectId: r.aProjectId,
            createdAt: r.aCreatedAt,
            media: r.media as NonNullable<ShowcaseItemRow['artefact']>['media'],
          }
        : null,
  }));
}

/** One item of one showcase, with its artefact's owner and deletion (for the media route and its recheck). */
export function itemInShowcase(db: Db, showcaseId: string, itemId: string) {
  return showcasesDb(db)
    .selectFrom('showcaseItems as i')
    .leftJoin('artefacts as a', 'a.id', 'i.artefactId')
    .select(['i.id', 'i.artefactId', 'i.templateSlot', 'a.ownerId as artefactOwnerId', 'a.deletedAt as artefactDeletedAt'])
    .where('i.showcaseId', '=', showcaseId)
    .where('i.id', '=', itemId)
    .executeTakeFirst();
}

/** The showcase row, locked for the rest of the transaction: changes to one showcase's items happen one at a time. */
export function lockShowcase(trx: Db, showcaseId: string) {
  return showcasesDb(trx).selectFrom('showcases').select(['id', 'ownerId']).where('id', '=', showcaseId).forUpdate().executeTakeFirst();
}

/** Every item id of a showcase in order, with whether a reader sees it (its artefact not deleted). */
export async function orderOf(trx: Db, showcaseId: string): Promise<Array<{ id: string; visible: boolean }>> {
  const rows = await showcasesDb(trx)
    .selectFrom('showcaseItems as i')
    .innerJoin('showcases as s', 's.id', 'i.showcaseId')
    .leftJoin('artefacts as a', 'a.id', 'i.artefactId')
    .select(['i.id', shownItem.as('visible')])
    .where('i.showcaseId', '=', showcaseId)
    .orderBy('i.position')
    .execute();
  return rows.map((r) => ({ id: r.id, visible: Boolean(r.visible) }));
}

/** Writes positions 0..n-1 in the order given (every item of the showcase). Inside a transaction holding lockShowcase. */
export async function writeOrder(trx: Db, showcaseId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const t = showcasesDb(trx);
  await t
    .updateTable('showcaseItems')
    .set({ position: sql<number>`position + ${PARKED}` })
    .where('showcaseId', '=', showcaseId)
    .where('position', '<', PARKED)
    .execute();
  const cases = sql.join(
    ids.map((id, i) => sql`when ${id}::uuid then ${i}::int`),
    sql` `,
  );
  await t
    .updateTable('showcaseItems')
    .set({ position: sql<number>`case id ${cases} end` })
    .where('showcaseId', '=', showcaseId)
    .where('id', 'in', [...ids])
    .execute();
}

/** A parked position for a new item, above every real one; writeOrder then puts it in its place. */
export const parkedPosition = (n: number) => PARKED * 2 + n;

/** Bumps the showcase's updated_at (a change to its items changes the showcase). */
export function touch(trx: Db, showcaseId: string) {
  return showcasesDb(trx).updateTable('showcases').set({ updatedAt: new Date() }).where('id', '=', showcaseId).execute();
}

/** Whether the pupil takes part in the project: a pupil of one of its groups, or the owner of an imported one. */
export async function takesPartIn(db: Db, pupilId: string, projectId: string): Promise<boolean> {
  const row = await db
    .selectFrom('projects as p')
    .select('p.id')
    .where('p.id', '=', projectId)
    .where((eb) =>
      eb.or([
        eb('p.ownerId', '=', pupilId),
        eb.exists(
          eb
            .selectFrom('projectGroups as pg')
            .innerJoin('memberships as m', 'm.groupId', 'pg.groupId')
            .select('m.userId')
            .whereRef('pg.projectId', '=', 'p.id')
            .where('m.userId', '=', pupilId)
            .where('m.role', '=', 'pupil'),
        ),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}

/** Who may hear of a showcase: teachers of the owner's groups, the owner's guardians (links in force), the pupils of the project's groups. */
export async function showcaseAudienceFacts(db: Db, ownerId: string, projectGroupIds: readonly string[]) {
  const [teachers, guardians, pupils] = await Promise.all([
    db
      .selectFrom('memberships as t')
      .innerJoin('memberships as p', 'p.groupId', 't.groupId')
      .select('t.userId')
      .distinct()
      .where('p.userId', '=', ownerId)
      .where('p.role', '=', 'pupil')
      .where('t.role', '=', 'teacher')
      .execute(),
    db.selectFrom('guardianLinks').select('guardianId').where('pupilId', '=', ownerId).where(guardianLinkInForce('guardianLinks.pupilId')).execute(),
    projectGroupIds.length
      ? db
          .selectFrom('memberships')
          .select(['userId', 'groupId'])
          .where('groupId', 'in', [...projectGroupIds])
          .where('role', '=', 'pupil')
          .execute()
      : Promise.resolve([]),
  ]);
  const byPupil = new Map<string, string[]>();
  for (const p of pupils) byPupil.set(p.userId, [...(byPupil.get(p.userId) ?? []), p.groupId]);
  return {
    groupTeacherIds: teachers.map((t) => t.userId),
    guardianIds: guardians.map((g) => g.guardianId),
    projectPupils: [...byPupil].map(([id, groupIds]) => ({ id, groupIds })),
  };
}

// --- Templates ---
export function templateRows(db: Db) {
  return showcasesDb(db).selectFrom('showcaseTemplates').select(['id', 'projectId', 'title', 'intro', 'slots', 'updatedAt']);
}

/** The ids of a project's goals (a template's slot may name one of them only). */
export async function projectGoalIds(db: Db, projectId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('projectGoals').select('id').where('projectId', '=', projectId).execute();
  return new Set(rows.map((r) => r.id));
}

export type { ShowcasesDb, ShowcaseTemplateSlot };
