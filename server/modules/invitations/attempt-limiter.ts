import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TooManyRequests } from '../../http/errors.ts';
import { addressKey } from '../auth/address-key.ts';

export interface AttemptLimit {
  points: number;
  windowSeconds: number;
}

/** Limits for public doors: wrong invitation codes and reset links, reset requests, and provider sign-ins started. */
export interface AttemptLimits {
  /** Wrong invitation codes (opening or accepting) from one address. */
  invitationCode: AttemptLimit;
  /** Password-reset requests from one address. */
  resetRequest: AttemptLimit;
  /** Reset e-mails to one account (beyond it, the answer is the same and no e-mail goes). */
  resetPerAccount: AttemptLimit;
  /** Wrong reset links from one address. */
  resetToken: AttemptLimit;
  /**
   * Provider sign-ins started from one address (each writes a row and a redirect). Generous: a whole school
   * may sit behind one address at nine in the morning.
   */
  ssoStart?: AttemptLimit | undefined;
}

export const DEFAULT_SSO_START_LIMIT: AttemptLimit = { points: 600, windowSeconds: 600 };

export const DEFAULT_ATTEMPT_LIMITS: AttemptLimits = {
  invitationCode: { points: 20, windowSeconds: 3600 },
  resetRequest: { points: 20, windowSeconds: 3600 },
  resetPerAccount: { points: 3, windowSeconds: 3600 },
  resetToken: { points: 20, windowSeconds: 3600 },
  ssoStart: DEFAULT_SSO_START_LIMIT,
};

/**
 * A counter of tries per key (an address counts as its IPv4 address or IPv6 /64), kept in the login_limits
 * table on PostgreSQL (shared by every process) or in memory on PGlite. The limits are part of the key
 * prefix, as in the sign-in limiter.
 */
export function attemptLimiter(name: string, limit: AttemptLimit, pool: pg.Pool | null | undefined) {
  const keyPrefix = `${name}-${limit.points}.${limit.windowSeconds}`;
  const limiter: RateLimiterAbstract = pool
    ? new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName: 'login_limits',
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix,
        points: limit.points,
        duration: limit.windowSeconds,
      })
    : new RateLimiterMemory({ keyPrefix, points: limit.points, duration: limit.windowSeconds });

  const tooMany = (res: unknown) => {
    const ms = res instanceof RateLimiterRes ? res.msBeforeNext : limit.windowSeconds * 1000;
    const seconds = Math.max(1, Math.ceil(ms / 1000));
    return new TooManyRequests(`Too many tries. Please wait ${Math.ceil(seconds / 60)} minute(s) and try again.`, seconds);
  };
  return {
    /** Takes one try for the address; throws 429 when none is left. */
    async consumeAddress(address: string): Promise<void> {
      await this.consume(addressKey(address));
    },
    async consume(key: string): Promise<void> {
      try {
        await limiter.consume(key);
      } catch (err) {
        if (err instanceof RateLimiterRes) throw tooMany(err);
        throw err;
      }
    },
    /** Whether a try is left for the key, taking it (false instead of a 429). */
    async tryConsume(key: string): Promise<boolean> {
      try {
        await limiter.consume(key);
        return true;
      } catch (err) {
        if (err instanceof RateLimiterRes) return false;
        throw err;
      }
    },
    /** A success gives the address its try back. */
    async rewardAddress(address: string): Promise<void> {
      await limiter.reward(addressKey(address), 1);
    },
  };
}
export type AttemptLimiter = ReturnType<typeof attemptLimiter>;
