import { sql, type ColumnType, type Kysely } from 'kysely';
import type { DigestFrequency } from '../../../shared/api/digest.ts';
import type { Locale } from '../../../shared/roles.ts';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { guardianSeenSql } from '../guardian-sharing/guardian-sharing.sql.ts';
import type { NotificationTables } from '../notifications/notifications.repo.ts';

/** Migration 0040 (issue 12 §5). Declared here, beside the module that alone reads and writes them. */
export type DigestTables = {
  notificationPreferences: { userId: string; frequency: DigestFrequency; email: boolean; push: boolean; updatedAt: ColumnType<Date, Date, Date> };
  digestSends: {
    guardianId: string;
    week: string;
    claimedBy: string;
    claimedAt: ColumnType<Date, Date, Date>;
    sentAt: Date | null;
    items: number | null;
  };
  notificationDeliveries: { notificationId: string; claimedBy: string; claimedAt: ColumnType<Date, Date, Date>; sentAt: Date | null };
};
type DigestDb = Kysely<Database & DigestTables & NotificationTables>;
const digestDb = (db: Db): DigestDb => db.withTables<DigestTables & NotificationTables>();

export interface StoredPreferences {
  frequency: DigestFrequency;
  email: boolean;
  push: boolean;
  updatedAt: Date | null;
}

export async function preferencesOf(db: Db, userId: string): Promise<StoredPreferences | undefined> {
  return digestDb(db).selectFrom('notificationPreferences').select(['frequency', 'email', 'push', 'updatedAt']).where('userId', '=', userId).executeTakeFirst();
}

export async function savePreferences(db: Db, userId: string, p: { frequency: DigestFrequency; email: boolean; push: boolean }): Promise<void> {
  const now = new Date();
  await digestDb(db)
    .insertInto('notificationPreferences')
    .values({ userId, ...p, updatedAt: now })
    .onConflict((oc) => oc.column('userId').doUpdateSet({ ...p, updatedAt: now }))
    .execute();
}

export interface Recipient {
  id: string;
  email: string | null;
  locale: Locale | null;
  timeZone: string;
}

/** A guardian's time zone: that of the first school (by id) where they are a guardian; a stable choice for one who has several. */
const guardianZone = sql<string>`(select s.time_zone from school_roles r join schools s on s.id = r.school_id
  where r.user_id = users.id and r.role = 'guardian' order by r.school_id limit 1)`;

export async function guardianRecipient(db: Db, guardianId: string): Promise<Recipient | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'email', 'locale', guardianZone.as('timeZone')])
    .where('id', '=', guardianId)
    .where('active', '=', true)
    .executeTakeFirst();
  return row && row.timeZone ? row : undefined;
}

export async function schoolTimeZones(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('schools').select('timeZone').distinct().execute();
  return rows.map((r) => r.timeZone);
}

/**
 * Weekly-digest guardians whose due week (by their zone) has no send row yet: at most `limit`. A guardian
 * without a preferences row gets the weekly digest (the default).
 */
export async function guardiansDue(
  db: Db,
  dueWeeks: ReadonlyArray<{ zone: string; week: string }>,
  limit: number,
): Promise<Array<Recipient & { week: string }>> {
  if (dueWeeks.length === 0) return [];
  const weeks = sql.join(dueWeeks.map((w) => sql`(${w.zone}::text, ${w.week}::text)`));
  const { rows } = await sql<Recipient & { week: string }>`
    select g.id, g.email, g.locale, g.time_zone as "timeZone", wk.week
    from (select users.id, users.email, users.locale, ${guardianZone} as time_zone from users
          left join notification_preferences p on p.user_id = users.id
          where users.active and coalesce(p.frequency, 'weekly') = 'weekly'
            and exists (select 1 from school_roles r where r.user_id = users.id and r.role = 'guardian')) g
    join (values ${weeks}) as wk (zone, week) on wk.zone = g.time_zone
    where not exists (select 1 from digest_sends d where d.guardian_id = g.id and d.week = wk.week)
    order by g.id
    limit ${limit}`.execute(db);
  return rows;
}

/**
 * Claims (guardian, week) for this process: a new row, or one whose claimer died before sending (claimed
 * before `staleBefore` and never sent). Exactly one of any number of racing processes gets true.
 */
export async function claimWeek(db: Db, guardianId: string, week: string, worker: string, staleBefore: Date): Promise<boolean> {
  const now = new Date();
  const inserted = await digestDb(db)
    .insertInto('digestSends')
    .values({ guardianId, week, claimedBy: worker, claimedAt: now })
    .onConflict((oc) => oc.columns(['guardianId', 'week']).doNothing())
    .returning('guardianId')
    .executeTakeFirst();
  if (inserted) return true;
  const taken = await digestDb(db)
    .updateTable('digestSends')
    .set({ claimedBy: worker, claimedAt: now })
    .where('guardianId', '=', guardianId)
    .where('week', '=', week)
    .where('sentAt', 'is', null)
    .where('claimedAt', '<', staleBefore)
    .returning('guardianId')
    .executeTakeFirst();
  return taken !== undefined;
}

export async function markWeekSent(db: Db, guardianId: string, week: string, worker: string, items: number | null): Promise<void> {
  await digestDb(db)
    .updateTable('digestSends')
    .set({ sentAt: new Date(), items })
    .where('guardianId', '=', guardianId)
    .where('week', '=', week)
    .where('claimedBy', '=', worker)
    .execute();
}

/** A failed send gives the claim back, so that the next look tries again. */
export async function releaseWeek(db: Db, guardianId: string, week: string, worker: string): Promise<void> {
  await digestDb(db)
    .deleteFrom('digestSends')
    .where('guardianId', '=', guardianId)
    .where('week', '=', week)
    .where('claimedBy', '=', worker)
    .where('sentAt', 'is', null)
    .execute();
}

/** Notifications of "every new item" users not yet delivered: only those written after the choice, and recent. */
export async function undelivered(db: Db, since: Date, limit: number) {
  return digestDb(db)
    .selectFrom('notifications as n')
    .innerJoin('notificationPreferences as p', 'p.userId', 'n.recipientId')
    .select(['n.id', 'n.recipientId', 'p.email', 'p.push'])
    .where('p.frequency', '=', 'every')
    .where((eb) => eb('n.createdAt', '>=', eb.ref('p.updatedAt')))
    .where('n.createdAt', '>=', since)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('notificationDeliveries as d').select('d.notificationId').whereRef('d.notificationId', '=', 'n.id'))))
    .orderBy('n.createdAt')
    .limit(limit)
    .execute();
}

export async function claimDelivery(db: Db, notificationId: string, worker: string, staleBefore: Date): Promise<boolean> {
  const now = new Date();
  const inserted = await digestDb(db)
    .insertInto('notificationDeliveries')
    .values({ notificationId, claimedBy: worker, claimedAt: now })
    .onConflict((oc) => oc.column('notificationId').doNothing())
    .returning('notificationId')
    .executeTakeFirst();
  if (inserted) return true;
  const taken = await digestDb(db)
    .updateTable('notificationDeliveries')
    .set({ claimedBy: worker, claimedAt: now })
    .where('notificationId', '=', notificationId)
    .where('sentAt', 'is', null)
    .where('claimedAt', '<', staleBefore)
    .returning('notificationId')
    .executeTakeFirst();
  return taken !== undefined;
}

export async function markDelivered(db: Db, notificationId: string, worker: string): Promise<void> {
  await digestDb(db)
    .updateTable('notificationDeliveries')
    .set({ sentAt: new Date() })
    .where('notificationId', '=', notificationId)
    .where('claimedBy', '=', worker)
    .execute();
}

export async function userContact(db: Db, userId: string) {
  return db.selectFrom('users').select(['id', 'email', 'locale', 'active']).where('id', '=', userId).executeTakeFirst();
}

// --- Candidates for a digest. Only ids and times: every item is then read through its own service and the policy. ---

export async function childNames(db: Db, ids: readonly string[]): Promise<Array<{ id: string; displayName: string }>> {
  if (ids.length === 0) return [];
  return db.selectFrom('users').select(['id', 'displayName']).where('id', 'in', ids).orderBy('displayName').orderBy('id').execute();
}

/**
 * Artefacts of the pupils made, or whose visibility changed, within [from, to): newest first, at most `limit`.
 * A digest is a guardian's: titles and goals are those of the version guardians see (issue 12 §1), never a pending edit's.
 */
export async function sharedCandidates(db: Db, pupilIds: readonly string[], from: Date, to: Date, limit: number) {
  if (pupilIds.length === 0) return [];
  const seen = guardianSeenSql('a');
  const { rows } = await sql<{ id: string; ownerId: string; title: string; kind: string; goalIds: string[]; at: Date }>`
    select a.id, a.owner_id as "ownerId", coalesce(${seen.title}, '') as title, a.kind, ${seen.goalIds} as "goalIds", greatest(
      case when a.created_at >= ${from} and a.created_at < ${to} then a.created_at end,
      (select max(e.created_at) from artefact_events e where e.artefact_id = a.id and e.kind = 'visibility'
        and e.created_at >= ${from} and e.created_at < ${to})) as at
    from artefacts a
    where a.owner_id in (${sql.join(pupilIds)}) and a.deleted_at is null
      and ((a.created_at >= ${from} and a.created_at < ${to})
        or exists (select 1 from artefact_events e where e.artefact_id = a.id and e.kind = 'visibility' and e.created_at >= ${from} and e.created_at < ${to}))
    order by at desc, a.id
    limit ${limit}`.execute(db);
  return rows;
}

/** Goals the pupils assessed themselves on within [from, to). */
export async function assessedGoalCandidates(db: Db, pupilIds: readonly string[], from: Date, to: Date, limit: number) {
  if (pupilIds.length === 0) return [];
  return db
    .selectFrom('goalAssessments')
    .select(['goalId', 'pupilId'])
    .distinct()
    .where('pupilId', 'in', pupilIds)
    .where('kind', '=', 'self')
    .where('createdAt', '>=', from)
    .where('createdAt', '<', to)
    .limit(limit)
    .execute();
}

/** Artefacts of the pupils with feedback written within [from, to) by someone who is not the pupil (titled as guardians see them). */
export async function feedbackCandidates(db: Db, pupilIds: readonly string[], from: Date, to: Date, limit: number) {
  if (pupilIds.length === 0) return [];
  return db
    .selectFrom('feedback')
    .innerJoin('artefacts', 'artefacts.id', 'feedback.artefactId')
    .select(['artefacts.id', 'artefacts.ownerId', sql<string>`coalesce(${guardianSeenSql('artefacts').title}, '')`.as('title')])
    .distinct()
    .where('artefacts.ownerId', 'in', pupilIds)
    .where('artefacts.deletedAt', 'is', null)
    .where((eb) => eb('feedback.authorId', 'is', null).or('feedback.authorId', '<>', eb.ref('artefacts.ownerId')))
    .where('feedback.createdAt', '>=', from)
    .where('feedback.createdAt', '<', to)
    .limit(limit)
    .execute();
}
