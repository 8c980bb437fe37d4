import session from 'express-session';
import type { SessionEndReason } from '../../shared/realtime.ts';
import type { Db } from '../db/database.ts';
import { executePrepared } from '../db/prepared.ts';

type Callback<T = void> = (err?: unknown, value?: T) => void;

/** Hears of sessions this store ended, after their rows are gone (the realtime layer disconnects their sockets). */
export type SessionsEndedListener = (sessionIds: readonly string[], reason: SessionEndReason) => void;

const TOUCH_INTERVAL_MS = 60_000;
const TOUCH_MEMORY = 50_000;

/**
 * express-session store on our own database (PostgreSQL or PGlite alike), with the user id in
 * its own column so that all sessions of a user can be ended at once.
 *
 * Every way a session ends goes through here (sign-out and session regeneration via `destroy`,
 * deactivation and password changes via `destroyAllForUser`, expiry via `pruneExpired` and
 * `endIfExpired`), and each tells the `onEnded` listener which sessions ended and why.
 */
export class DbSessionStore extends session.Store {
  private readonly lastTouched = new Map<string, number>();
  private ended: SessionsEndedListener = () => undefined;

  constructor(private readonly db: Db) {
    super();
  }

  /** Sets the one listener told of every ended session. */
  onEnded(listener: SessionsEndedListener): void {
    this.ended = listener;
  }

  private report(sessionIds: readonly string[], reason: SessionEndReason): void {
    for (const sid of sessionIds) this.lastTouched.delete(sid);
    if (sessionIds.length > 0) this.ended(sessionIds, reason);
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

  /** Sign-out, and express-session's regenerate (a sign-in replaces whatever session the browser had). */
  override destroy(sid: string, callback?: Callback): void {
    this.db
      .deleteFrom('sessions')
      .where('sid', '=', sid)
      .returning('sid')
      .execute()
      .then(
        (rows) => {
          this.report(
            rows.map((r) => r.sid),
            'signed_out',
          );
          callback?.();
        },
        (err: unknown) => callback?.(err),
      );
  }

  /** Ends every session of a user (sign-out everywhere, deactivation, password change); returns the ended session ids. */
  async destroyAllForUser(userId: string, reason: SessionEndReason, exceptSid?: string): Promise<string[]> {
    let query = this.db.deleteFrom('sessions').where('userId', '=', userId);
    if (exceptSid) query = query.where('sid', '<>', exceptSid);
    const ended = (await query.returning('sid').execute()).map((r) => r.sid);
    this.report(ended, reason);
    return ended;
  }

  /** Deletes every expired session; returns how many. */
  async pruneExpired(): Promise<number> {
    const rows = await this.db.deleteFrom('sessions').where('expiresAt', '<=', new Date()).returning('sid').execute();
    this.report(
      rows.map((r) => r.sid),
      'expired',
    );
    return rows.length;
  }

  /** Ends one session if it has expired (a socket's expiry check, between prunes); whether it did. */
  async endIfExpired(sid: string): Promise<boolean> {
    const rows = await this.db.deleteFrom('sessions').where('sid', '=', sid).where('expiresAt', '<=', new Date()).returning('sid').execute();
    this.report(
      rows.map((r) => r.sid),
      'expired',
    );
    return rows.length > 0;
  }

  /** When a session expires, whether or not it already has; null when there is no such session. */
  async expiryOf(sid: string): Promise<Date | null> {
    const row = await this.db.selectFrom('sessions').select('expiresAt').where('sid', '=', sid).executeTakeFirst();
    return row?.expiresAt ?? null;
  }
}

function expiry(data: session.SessionData): Date {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + 24 * 3600_000);
}
