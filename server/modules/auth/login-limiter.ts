import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequests } from '../../http/errors.ts';

export interface LoginLimits {
  perAccount: number;
  perAddress: number;
  windowSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 10, perAddress: 100, windowSeconds: 15 * 60 };

/**
 * Counts failed sign-ins per account and per address. Only failures count, and a success
 * clears the account's count, so a pupil who mistypes a few times is not locked out for long.
 * In memory: with several server processes each keeps its own count (see README).
 */
export function loginLimiter(limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
  const byAccount = new RateLimiterMemory({ keyPrefix: 'login-account', points: limits.perAccount, duration: limits.windowSeconds });
  const byAddress = new RateLimiterMemory({ keyPrefix: 'login-address', points: limits.perAddress, duration: limits.windowSeconds });

  function tooMany(res: RateLimiterRes | null): TooManyRequests {
    const seconds = Math.max(1, Math.ceil((res?.msBeforeNext ?? limits.windowSeconds * 1000) / 1000));
    const minutes = Math.ceil(seconds / 60);
    return new TooManyRequests(`Too many failed sign-ins. Please wait ${minutes} minute(s) and try again.`, seconds);
  }

  return {
    /** Throws 429 when the account or the address has used up its failures. */
    async check(account: string, address: string): Promise<void> {
      const [a, b] = await Promise.all([byAccount.get(account), byAddress.get(address)]);
      if (a && a.remainingPoints <= 0) throw tooMany(a);
      if (b && b.remainingPoints <= 0) throw tooMany(b);
    },
    async fail(account: string, address: string): Promise<void> {
      await Promise.all([byAccount.penalty(account, 1), byAddress.penalty(address, 1)]);
    },
    async succeed(account: string): Promise<void> {
      await byAccount.delete(account);
    },
  };
}
