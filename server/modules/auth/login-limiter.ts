import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { TooManyRequests } from '../../http/errors.ts';
import { addressKey } from './address-key.ts';

export interface LoginLimits {
  /** Failed sign-ins allowed for one account from one address per window. */
  perAccount: number;
  /** Failed sign-ins allowed from one address, whatever the accounts, per address window (a whole school may share one address). */
  perAddress: number;
  windowSeconds: number;
  /** The per-address window; longer and with more points than the account's (default: four account windows). */
  addressWindowSeconds?: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 10, perAddress: 300, windowSeconds: 15 * 60, addressWindowSeconds: 60 * 60 };

export interface LoginLimiterStore {
  /** The PostgreSQL pool: counters in the login_limits table, shared by every process. Without it, in memory (PGlite: one process). */
  pool?: pg.Pool | null;
  db?: Db;
}

/**
 * Limits failed sign-ins per account+address and, more loosely, per address. A try *reserves* a point
 * before the (slow) password check, so parallel tries cannot all slip through before the first failure
 * is counted; a success gives the points back. Per account+address, so one pupil's typos or a guesser
 * elsewhere do not lock the account for the whole school behind one address.
 */
export function loginLimiter(limits: LoginLimits = DEFAULT_LOGIN_LIMITS, store: LoginLimiterStore = {}) {
  const addressWindow = limits.addressWindowSeconds ?? limits.windowSeconds * 4;
  // The limits are part of the key: processes (or tests) configured differently keep their own counts.
  const tag = `${limits.perAccount}.${limits.windowSeconds}.${limits.perAddress}.${addressWindow}`;
  const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract =>
    store.pool
      ? new RateLimiterPostgres({
          storeClient: store.pool,
          storeType: 'pool',
          tableName: 'login_limits',
          tableCreated: true,
          clearExpiredByTimeout: false,
          keyPrefix,
          points,
          duration,
        })
      : new RateLimiterMemory({ keyPrefix, points, duration });
  const byAccount = make(`login-account-${tag}`, limits.perAccount, limits.windowSeconds);
  const byAddress = make(`login-address-${tag}`, limits.perAddress, addressWindow);

  function tooMany(res: unknown): TooManyRequests {
    const ms = res instanceof RateLimiterRes ? res.msBeforeNext : limits.windowSeconds * 1000;
    const seconds = Math.max(1, Math.ceil(ms / 1000));
    const minutes = Math.ceil(seconds / 60);
    return new TooManyRequests(`Too many failed sign-ins. Please wait ${minutes} minute(s) and try again.`, seconds);
  }
  const accountKey = (account: string, address: string) => `${account}|${addressKey(address)}`;

  return {
    /** Reserves one try for the account from this address (an IPv6 address counts as its /64); throws 429 when either budget is used up. */
    async reserve(account: string, address: string): Promise<void> {
      const [a, b] = await Promise.allSettled([byAccount.consume(accountKey(account, address)), byAddress.consume(addressKey(address))]);
      if (a.status === 'rejected') {
        if (!(a.reason instanceof RateLimiterRes)) throw a.reason;
        throw tooMany(a.reason);
      }
      if (b.status === 'rejected') {
        if (!(b.reason instanceof RateLimiterRes)) throw b.reason;
        throw tooMany(b.reason);
      }
    },
    /** A successful sign-in: the account's count starts over and the address gets its point back. */
    async succeed(account: string, address: string): Promise<void> {
      await Promise.all([byAccount.delete(accountKey(account, address)), byAddress.reward(addressKey(address), 1)]);
    },
    /** Deletes expired counters (PostgreSQL); returns how many. */
    async pruneExpired(): Promise<number> {
      if (!store.db || !store.pool) return 0;
      const result = await sql`delete from login_limits where expire is not null and expire < ${Date.now()}`.execute(store.db);
      return Number(result.numAffectedRows ?? 0);
    },
  };
}
