import { createHash } from 'node:crypto';
import { sql, type ColumnType, type Generated, type Kysely } from 'kysely';
import type { ShareSubject } from '../../../shared/api/share-links.ts';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { showcasesDb, type ShowcaseTables } from '../showcases/showcase-tables.ts';

/** Migration 0039 (issue 12 §4). Declared here, beside the module that alone reads and writes it. */
export type ShareLinkTables = {
  shareLinks: {
    id: Generated<string>;
    tokenHash: string;
    artefactId: string | null;
    showcaseId: string | null;
    ownerId: string;
    createdBy: string | null;
    passcodeHash: string | null;
    includeFeedback: Generated<boolean>;
    showName: Generated<boolean>;
    createdAt: ColumnType<Date, Date | undefined, never>;
    expiresAt: ColumnType<Date, Date, never>;
    revokedAt: Date | null;
    revokedBy: string | null;
    lastAccessedAt: Date | null;
    accessCount: Generated<number>;
    passcodeFailures: Generated<number>;
  };
};
export type ShareLinksDb = Kysely<Database & ShareLinkTables & ShowcaseTables>;
export const shareLinksDb = (db: Db): ShareLinksDb => showcasesDb(db).withTables<ShareLinkTables>();

/** A token as kept: its SHA-256 (the token has 256 random bits, so no salt or slow hash is needed). */
export const shareTokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

const LINK_COLUMNS = [
  'l.id',
  'l.artefactId',
  'l.showcaseId',
  'l.ownerId',
  'l.createdBy',
  'l.passcodeHash',
  'l.includeFeedback',
  'l.showName',
  'l.createdAt',
  'l.expiresAt',
  'l.revokedAt',
  'l.lastAccessedAt',
  'l.accessCount',
] as const;

function linkRows(db: Db) {
  return shareLinksDb(db)
    .selectFrom('shareLinks as l')
    .leftJoin('users as c', 'c.id', 'l.createdBy')
    .select([...LINK_COLUMNS, 'c.displayName as createdByName']);
}
export type ShareLinkRow = Awaited<ReturnType<ReturnType<typeof linkRows>['executeTakeFirstOrThrow']>>;

export function linksOfSubject(db: Db, subject: ShareSubject): Promise<ShareLinkRow[]> {
  const column = subject.type === 'artefact' ? 'l.artefactId' : 'l.showcaseId';
  return linkRows(db).where(column, '=', subject.id).orderBy('l.createdAt', 'desc').orderBy('l.id').limit(200).execute();
}

export function linkById(db: Db, linkId: string): Promise<ShareLinkRow | undefined> {
  return linkRows(db).where('l.id', '=', linkId).executeTakeFirst();
}

export function linkByTokenHash(db: Db, tokenHash: string): Promise<ShareLinkRow | undefined> {
  return linkRows(db).where('l.tokenHash', '=', tokenHash).executeTakeFirst();
}

export interface NewShareLink {
  tokenHash: string;
  subject: ShareSubject;
  ownerId: string;
  createdBy: string;
  passcodeHash: string | null;
  includeFeedback: boolean;
  showName: boolean;
  createdAt: Date;
  expiresAt: Date;
}

export async function insertLink(db: Db, link: NewShareLink): Promise<string> {
  const row = await shareLinksDb(db)
    .insertInto('shareLinks')
    .values({
      tokenHash: link.tokenHash,
      artefactId: link.subject.type === 'artefact' ? link.subject.id : null,
      showcaseId: link.subject.type === 'showcase' ? link.subject.id : null,
      ownerId: link.ownerId,
      createdBy: link.createdBy,
      passcodeHash: link.passcodeHash,
      includeFeedback: link.includeFeedback,
      showName: link.showName,
      createdAt: link.createdAt,
      expiresAt: link.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Revokes the link unless it already is; true when this call did. */
export async function revokeLink(db: Db, linkId: string, by: string): Promise<boolean> {
  const result = await shareLinksDb(db)
    .updateTable('shareLinks')
    .set({ revokedAt: new Date(), revokedBy: by })
    .where('id', '=', linkId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** One look at the page: the time and the count, in one statement (two looks at once both count). */
export async function recordAccess(db: Db, linkId: string, at: Date): Promise<void> {
  await shareLinksDb(db)
    .updateTable('shareLinks')
    .set({ lastAccessedAt: at, accessCount: sql<number>`access_count + 1` })
    .where('id', '=', linkId)
    .execute();
}

/**
 * The owner's facts for the policy's `shareSubject`: their groups as a pupil, their birth date, and the
 * strictest (highest) minimum age among the schools where they are a pupil.
 */
export async function ownerFacts(db: Db, ownerId: string) {
  const row = await db
    .selectFrom('users as u')
    .select((eb) => [
      'u.birthDate',
      'u.displayName',
      eb
        .selectFrom('memberships as m')
        .select(sql<string[]>`coalesce(json_agg(m.group_id), '[]')`.as('ids'))
        .whereRef('m.userId', '=', 'u.id')
        .where('m.role', '=', 'pupil')
        .as('groupIds'),
      eb
        .selectFrom('schoolRoles as sr')
        .innerJoin('schools as s', 's.id', 'sr.schoolId')
        .select(sql<number | null>`max(s.share_link_min_age)`.as('minAge'))
        .whereRef('sr.userId', '=', 'u.id')
        .where('sr.role', '=', 'pupil')
        .as('minAge'),
    ])
    .where('u.id', '=', ownerId)
    .executeTakeFirst();
  if (!row) return null;
  return { birthDate: row.birthDate, displayName: row.displayName, groupIds: row.groupIds ?? [], minAge: row.minAge === null ? null : Number(row.minAge) };
}

/** A showcase's owner and the teachers of its project, or undefined. */
export async function showcaseFacts(db: Db, showcaseId: string) {
  return showcasesDb(db)
    .selectFrom('showcases as s')
    .select((eb) => [
      's.id',
      's.ownerId',
      's.title',
      's.introHtml',
      eb
        .selectFrom('projectTeachers as pt')
        .select(sql<string[]>`coalesce(json_agg(pt.user_id), '[]')`.as('ids'))
        .whereRef('pt.projectId', '=', 's.projectId')
        .as('projectTeacherIds'),
    ])
    .where('s.id', '=', showcaseId)
    .executeTakeFirst();
}

/** A showcase's items in order, each with its artefact when that is the showcase owner's own and not deleted. */
export function showcaseItems(db: Db, showcaseId: string, ownerId: string) {
  return showcasesDb(db)
    .selectFrom('showcaseItems as i')
    .leftJoin('artefacts as a', (join) => join.onRef('a.id', '=', 'i.artefactId').on('a.ownerId', '=', ownerId).on('a.deletedAt', 'is', null))
    .select(['i.id', 'i.position', 'i.heading', 'i.bodyHtml', 'i.artefactId', 'a.id as liveArtefactId'])
    .where('i.showcaseId', '=', showcaseId)
    .orderBy('i.position')
    .limit(200)
    .execute();
}

/** The artefacts a page shows, with what it shows of them (no project, phase or goal names: those name no one, but are not asked for). */
export function artefactsForPage(db: Db, ids: readonly string[], ownerId: string) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('artefacts')
    .select(['id', 'kind', 'title', 'bodyHtml', 'links', 'createdAt', 'updatedAt'])
    .where('id', 'in', [...ids])
    .where('ownerId', '=', ownerId)
    .where('deletedAt', 'is', null)
    .execute();
}

/** The current (not removed) media of those artefacts, in their order. */
export function mediaForPage(db: Db, artefactIds: readonly string[]) {
  if (artefactIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('mediaItems')
    .select(['id', 'artefactId', 'kind', 'mime', 'originalName', 'width', 'height', 'variants'])
    .where('artefactId', 'in', [...artefactIds])
    .where('removedAt', 'is', null)
    .orderBy('artefactId')
    .orderBy('position')
    .execute();
}

/** The text feedback threads of those artefacts, oldest first: author ids only (the page names no one). */
export function feedbackForPage(db: Db, artefactIds: readonly string[]) {
  if (artefactIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('feedback')
    .select(['id', 'artefactId', 'parentId', 'authorId', 'importedAuthor', 'body', 'createdAt'])
    .where('artefactId', 'in', [...artefactIds])
    .orderBy('createdAt')
    .orderBy('id')
    .limit(2000)
    .execute();
}

/** One media file as a link's media URL needs it, with whether its artefact is still live. */
export function mediaForRecheck(db: Db, mediaId: string) {
  return db
    .selectFrom('mediaItems as m')
    .innerJoin('artefacts as a', 'a.id', 'm.artefactId')
    .select(['m.id', 'm.artefactId', 'm.removedAt', 'a.ownerId', 'a.deletedAt'])
    .where('m.id', '=', mediaId)
    .executeTakeFirst();
}

/** Whether the showcase still holds the artefact. */
export async function showcaseHolds(db: Db, showcaseId: string, artefactId: string): Promise<boolean> {
  const row = await showcasesDb(db)
    .selectFrom('showcaseItems')
    .select('id')
    .where('showcaseId', '=', showcaseId)
    .where('artefactId', '=', artefactId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
