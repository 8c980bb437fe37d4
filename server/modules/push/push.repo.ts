import type { ColumnType, Kysely } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

/** Migration 0040 (issue 12 §5). Declared here, beside the module that alone reads and writes it. */
export type PushTables = {
  pushSubscriptions: {
    id: ColumnType<string, string | undefined, never>;
    userId: string;
    endpoint: string;
    p256dh: string;
    auth: string;
    createdAt: ColumnType<Date, Date, Date>;
  };
};
const pushDb = (db: Db): Kysely<Database & PushTables> => db.withTables<PushTables>();

export interface PushSubscriptionRow {
  id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** A browser's subscription; one that was another account's (another sign-in on the same browser) becomes this one's. */
export async function saveSubscription(db: Db, userId: string, s: { endpoint: string; p256dh: string; auth: string }, keep: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await pushDb(trx)
      .insertInto('pushSubscriptions')
      .values({ userId, ...s, createdAt: new Date() })
      .onConflict((oc) => oc.column('endpoint').doUpdateSet({ userId, p256dh: s.p256dh, auth: s.auth, createdAt: new Date() }))
      .execute();
    // Bounded per account: the oldest go once there are more than `keep`.
    const old = await pushDb(trx)
      .selectFrom('pushSubscriptions')
      .select('id')
      .where('userId', '=', userId)
      .orderBy('createdAt', 'desc')
      .orderBy('id')
      .offset(keep)
      .limit(100)
      .execute();
    if (old.length > 0)
      await pushDb(trx)
        .deleteFrom('pushSubscriptions')
        .where(
          'id',
          'in',
          old.map((o) => o.id),
        )
        .execute();
  });
}

export async function deleteSubscription(db: Db, userId: string, endpoint: string): Promise<boolean> {
  const r = await pushDb(db).deleteFrom('pushSubscriptions').where('userId', '=', userId).where('endpoint', '=', endpoint).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function deleteSubscriptionById(db: Db, id: string): Promise<void> {
  await pushDb(db).deleteFrom('pushSubscriptions').where('id', '=', id).execute();
}

export async function subscriptionsOf(db: Db, userId: string): Promise<PushSubscriptionRow[]> {
  return pushDb(db).selectFrom('pushSubscriptions').select(['id', 'endpoint', 'p256dh', 'auth']).where('userId', '=', userId).orderBy('createdAt').execute();
}
