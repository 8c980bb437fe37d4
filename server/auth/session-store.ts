import type { Request } from 'express';
import session from 'express-session';
import { sql } from 'kysely';
import { jsonObjectFrom } from 'kysely/helpers/postgres';
import type { SessionEndReason } from '../../shared/realtime.ts';
import type { Db } from '../db/database.ts';
import { executeCompiled } from '../db/prepared.ts';
import { actorFactsSelection, type ActorFactsRow } from '../modules/org/org.repo.ts';

type Callback<T = void> = (err?: unknown, value?: T) => void;

/** Hears of sessions this store ended, after their rows are gone (the realtime layer disconnects their sockets). */
export type SessionsEndedListener = (sessionIds: readonly string[], reason: SessionEndReason) => void;

const TOUCH_INTERVAL_MS = 60_000;
const TOUCH_MEMORY = 50_000;
const CACHE_ENTRIES = 10_000;

/** A session row as last read: its data as JSON (each request gets its own copy), its user's facts, when it was read. */
export interface CachedSession {
  readonly json: string;
  /** Who signed in with this session (passport's user id), or null. */
  readonly userId: string | null;
  /** That user's facts as read with the session; null when the user is gone. */
  readonly user: ActorFactsRow | null;
  readonly expiresAt: number;
  readonly readAt: number;
  /** The school of the sign-in card that opened this session, or null (issue 11 §3). */
  readonly cardSchoolId: string | null;
}

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
  /**
   * Sessions with their users' policy facts as read in the last `cacheMs`: every API request reads its
   * session, and most of them no longer wait for the database. Whatever can change what is cached
   * forgets it at once in this process: the store's own writes, and `forgetAll()`, which the app calls
   * after every signed-in write request and on hearing that another process wrote (session-cache-sync.ts).
   * Writes themselves never use the cache (`get`). What no
   * server of this deployment did (a CLI, SQL by hand) is seen within `cacheMs`.
   */
  private readonly cache = new Map<string, CachedSession>();
  /** Bumped by every forget: a read that began before one must not cache what it read. */
  private generation = 0;
  /** The user read with a session (by the session data object `get` returned), then by the request it was loaded for. */
  private readonly userOfData = new WeakMap<object, ActorFactsRow>();
  private readonly userOfRequest = new WeakMap<object, ActorFactsRow>();
  private ended: SessionsEndedListener = () => undefined;

  constructor(
    private readonly db: Db,
    private readonly cacheMs = 0,
  ) {
    super();
  }

  /** Forgets every cached session and user (something they depend on may have changed). */
  forgetAll(): void {
    this.generation += 1;
    this.cache.clear();
  }

  /** Makes room: drops entries too old to be used, or everything if all are fresh (the cache is only a shortcut). */
  private dropStale(now: number): void {
    for (const [sid, entry] of this.cache) if (now - entry.readAt >= this.cacheMs) this.cache.delete(sid);
    if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
  }

  private forget(sid: string): void {
    this.generation += 1;
    this.cache.delete(sid);
  }

  /** Sets the one listener told of every ended session. */
  onEnded(listener: SessionsEndedListener): void {
    this.ended = listener;
  }

  private report(sessionIds: readonly string[], reason: SessionEndReason): void {
    for (const sid of sessionIds) {
      this.lastTouched.delete(sid);
      this.forget(sid);
    }
    if (sessionIds.length > 0) this.ended(sessionIds, reason);
  }

  /**
   * express-session's read, which only writes use (sign-in and sign-out among them; reads go through
   * session-reader.ts): a write is decided on the session and facts as the database holds them, never
   * on a cached copy, whatever its request looked like.
   */
  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    this.read(sid, { fresh: true }).then((entry) => {
      if (!entry) return callback(undefined, null);
      // A fresh copy: express-session and passport change the object they are given.
      const data = JSON.parse(entry.json) as session.SessionData;
      if (entry.user) this.userOfData.set(data, entry.user);
      callback(undefined, data);
    }, callback);
  }

  /**
   * The live session `sid` with its user's policy facts (null: no such session, or expired): from the
   * cache when read within `cacheMs`, else (and always with `fresh`) from the database. Do not change
   * what it returns.
   */
  async read(sid: string, { fresh = false }: { fresh?: boolean } = {}): Promise<CachedSession | null> {
    const now = Date.now();
    const cached = fresh ? undefined : this.cache.get(sid);
    if (cached && now - cached.readAt < this.cacheMs && now < cached.expiresAt) return cached;
    const generation = this.generation;
    // On every API request that misses the cache, so one prepared statement compiled once: the session
    // and, in the same round trip and snapshot, its user's policy facts.
    const [row] = await executeCompiled(this.db, 'sessionWithUser', [sid, new Date(now)], ([id, at]) =>
      this.db
        .selectFrom('sessions')
        .select((eb) => [
          'sessions.data',
          'sessions.expiresAt',
          jsonObjectFrom(
            eb
              .selectFrom('users')
              .select((u) => actorFactsSelection(u))
              .whereRef('users.id', '=', 'sessions.userId'),
          ).as('user'),
        ])
        .where('sessions.sid', '=', id)
        .where('sessions.expiresAt', '>', at)
        .compile(),
    );
    if (!row) return null;
    const data = row.data as session.SessionData;
    const entry: CachedSession = {
      json: JSON.stringify(data),
      userId: data.passport?.user ?? null,
      user: row.user ?? null,
      expiresAt: row.expiresAt.getTime(),
      readAt: now,
      cardSchoolId: data.signInCard?.schoolId ?? null,
    };
    if (this.cacheMs > 0 && generation === this.generation) {
      if (this.cache.size >= CACHE_ENTRIES) this.dropStale(now);
      this.cache.set(sid, entry);
    }
    return entry;
  }

  /** express-session turns what `get` returned into the request's session here: the user read with it goes with the request. */
  override createSession(req: Request, data: session.SessionData): session.Session & session.SessionData {
    const user = this.userOfData.get(data);
    if (user) this.userOfRequest.set(req, user);
    return super.createSession(req, data);
  }

  /**
   * The facts of user `userId` as read together with this request's session, once (the second call
   * gets nothing); undefined when the session's row named no such user, so the caller loads them itself.
   */
  userReadWith(req: object, userId: string): ActorFactsRow | undefined {
    const user = this.userOfRequest.get(req);
    this.userOfRequest.delete(req);
    return user?.id === userId ? user : undefined;
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    this.forget(sid);
    const row = { data: JSON.stringify(data), userId: data.passport?.user ?? null, expiresAt: expiry(data) };
    this.db
      .insertInto('sessions')
      .values({ sid, ...row })
      .onConflict((oc) => oc.column('sid').doUpdateSet(row))
      .execute()
      .then(
        () => {
          this.forget(sid);
          callback?.();
        },
        (err: unknown) => callback?.(err),
      );
  }

  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    if (!this.renewIfDue(sid, expiry(data), callback)) callback?.();
  }

  /**
   * Slides the session's expiry to `expiresAt` if it was not slid in the last minute (express-session
   * touches on every request; writing each time would make every read a write, and a minute is precise
   * enough for hours-long sessions). Whether it does; `done` hears when the write ended.
   */
  renewIfDue(sid: string, expiresAt: Date, done?: Callback): boolean {
    const now = Date.now();
    const last = this.lastTouched.get(sid);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return false;
    if (this.lastTouched.size >= TOUCH_MEMORY) this.lastTouched.clear();
    this.lastTouched.set(sid, now);
    this.db
      .updateTable('sessions')
      .set({ expiresAt })
      .where('sid', '=', sid)
      .execute()
      .then(
        () => done?.(),
        (err: unknown) => done?.(err),
      );
    return true;
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

  /** Ends the sessions opened with these sign-in cards (a revoked card's sessions end with it); returns their ids. */
  async destroyCardSessions(cardIds: readonly string[], reason: SessionEndReason): Promise<string[]> {
    if (cardIds.length === 0) return [];
    const ended = (
      await this.db
        .deleteFrom('sessions')
        .where(sql<string>`data -> 'signInCard' ->> 'cardId'`, 'in', [...cardIds])
        .returning('sid')
        .execute()
    ).map((r) => r.sid);
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
