import session from 'express-session';
import type { Db } from '../db/database.ts';
import { executePrepared } from '../db/prepared.ts';

type Callback<T = void> = (err?: unknown, value?: T) => void;

const TOUCH_INTERVAL_MS = 60_000;
const TOUCH_MEMORY = 50_000;

/**
 * express-session store on our own database (PostgreSQL or PGlite alike), with the user id in
 * its own column so that all sessions of a user can be ended at once.
 */
export class DbSessionStore extends session.Store {
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly db: Db) {
    super();
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    // On every API request: a prepared statement.
    executePrepared(this.db, this.db.selectFrom('sessions').select('data').where('sid', '=', sid).where('expiresAt', '>', new Date()).compile()).then(
      ([row]) => callback(undefined, (row?.data as session.SessionData | undefined) ?? null),
      callback,
    );
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const row = { data: JSON.stringify(data), userId: data.passport?.user ?? null, expiresAt: expiry(data) };
    this.db
      .insertInto('sessions')
      .values({ sid, ...row })
      .onConflict((oc) => oc.column('sid').doUpdateSet(row))
      .execute()
      .then(
        () => callback?.(),
        (err: unknown) => callback?.(err),
      );
  }

  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    // express-session touches on every request; writing each time would make every read a write.
    // Sliding the expiry once a minute per session is precise enough for hours-long sessions.
    const now = Date.now();
    const last = this.lastTouched.get(sid);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) {
      callback?.();
      return;
    }
    if (this.lastTouched.size >= TOUCH_MEMORY) this.lastTouched.clear();
    this.lastTouched.set(sid, now);
    this.db
      .updateTable('sessions')
      .set({ expiresAt: expiry(data) })
      .where('sid', '=', sid)
      .execute()
      .then(
        () => callback?.(),
        (err: unknown) => callback?.(err),
      );
  }

  override destroy(sid: string, callback?: Callback): void {
    this.lastTouched.delete(sid);
    this.db
      .deleteFrom('sessions')
      .where('sid', '=', sid)
      .execute()
      .then(
        () => callback?.(),
        (err: unknown) => callback?.(err),
      );
  }

  /** Ends every session of a user (deactivation, password change); returns the ended session ids. */
  async destroyAllForUser(userId: string, exceptSid?: string): Promise<string[]> {
    let query = this.db.deleteFrom('sessions').where('userId', '=', userId);
    if (exceptSid) query = query.where('sid', '<>', exceptSid);
    const rows = await query.returning('sid').execute();
    return rows.map((r) => r.sid);
  }

  async pruneExpired(): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('expiresAt', '<=', new Date()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function expiry(data: session.SessionData): Date {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + 24 * 3600_000);
}
