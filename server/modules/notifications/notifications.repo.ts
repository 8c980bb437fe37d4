import { sql, type ColumnType, type Kysely } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

/** Migration 0035 (issue 12 §5). Declared here, beside the module that alone reads and writes it. */
export type NotificationTables = {
  notifications: {
    id: string;
    recipientId: string;
    kind: string;
    payload: ColumnType<unknown, string, never>;
    createdAt: ColumnType<Date, Date, never>;
    readAt: Date | null;
  };
};
export type NotificationsDb = Kysely<Database & NotificationTables>;
export const notificationsDb = (db: Db): NotificationsDb => db.withTables<NotificationTables>();

export interface NotificationRow {
  id: string;
  recipientId: string;
  kind: string;
  payload: unknown;
  createdAt: Date;
  readAt: Date | null;
}

const COLUMNS = ['id', 'recipientId', 'kind', 'payload', 'createdAt', 'readAt'] as const;

export async function insertNotifications(db: Db, rows: ReadonlyArray<{ id: string; recipientId: string; kind: string; payload: unknown; createdAt: Date }>) {
  if (rows.length === 0) return;
  await notificationsDb(db)
    .insertInto('notifications')
    .values(rows.map((r) => ({ id: r.id, recipientId: r.recipientId, kind: r.kind, payload: JSON.stringify(r.payload), createdAt: r.createdAt })))
    .execute();
}

/** The recipient's notifications newest first, after `before` (a notification of theirs) when given. */
export async function pageOf(db: Db, recipientId: string, before: string | undefined, limit: number): Promise<NotificationRow[]> {
  let query = notificationsDb(db).selectFrom('notifications').select(COLUMNS).where('recipientId', '=', recipientId);
  if (before) {
    // Keyset paging on (created_at, id): the cursor row is looked up among the recipient's own only.
    const cursor = notificationsDb(db).selectFrom('notifications as c').where('c.id', '=', before).where('c.recipientId', '=', recipientId);
    query = query.where(sql<boolean>`(created_at, id) < (${cursor.select('c.createdAt')}, ${cursor.select('c.id')})`);
  }
  return query.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** The recipient's latest unread notifications, at most `limit` (the partial index serves it). */
export async function unreadOf(db: Db, recipientId: string, limit: number): Promise<NotificationRow[]> {
  return notificationsDb(db)
    .selectFrom('notifications')
    .select(COLUMNS)
    .where('recipientId', '=', recipientId)
    .where('readAt', 'is', null)
    .orderBy('createdAt', 'desc')
    .limit(limit)
    .execute();
}

export async function findNotification(db: Db, id: string): Promise<NotificationRow | undefined> {
  return notificationsDb(db).selectFrom('notifications').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function markRead(db: Db, recipientId: string, id: string | null, at: Date): Promise<void> {
  let query = notificationsDb(db).updateTable('notifications').set({ readAt: at }).where('recipientId', '=', recipientId).where('readAt', 'is', null);
  if (id) query = query.where('id', '=', id);
  await query.execute();
}

/** How long a notification is kept: read ones for a term, unread ones for a school year. The work and feedback they point to stay. */
export const KEEP_READ_MS = 120 * 24 * 3600_000;
export const KEEP_UNREAD_MS = 365 * 24 * 3600_000;
const PRUNE_BATCH = 5000;

/** Deletes notifications past keeping, in batches (short transactions however many there are); returns how many. */
export async function pruneNotifications(db: Db, now: Date): Promise<number> {
  const readBefore = new Date(now.getTime() - KEEP_READ_MS);
  const madeBefore = new Date(now.getTime() - KEEP_UNREAD_MS);
  let total = 0;
  for (;;) {
    const result = await notificationsDb(db)
      .deleteFrom('notifications')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('notifications')
          .select('id')
          .where((w) => w.or([w('readAt', '<', readBefore), w('createdAt', '<', madeBefore)]))
          .limit(PRUNE_BATCH),
      )
      .executeTakeFirst();
    const n = Number(result.numDeletedRows);
    total += n;
    if (n < PRUNE_BATCH) return total;
  }
}
