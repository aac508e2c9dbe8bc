/**
 * Login rate limiting in PostgreSQL, so the counts hold across restarts and across replicas:
 * at most N failures per account and M per client IP within a sliding window. A blocked attempt
 * is answered 429 without checking the password (and without counting, so waiting works).
 */
import type { LoginAttemptRepository } from '../store/login-attempt.repository.js';

/** Limits for {@link loginRateLimiter}. */
export interface LoginLimits {
  maxPerAccount: number;
  maxPerIp: number;
  windowMs: number;
}

/** Why a login is refused before its password is checked. */
export type LimitVerdict = { limited: false } | { limited: true; scope: 'account' | 'ip'; retryAfterSeconds: number };

/** Creates the limiter. Emails are compared lower-cased. */
export function loginRateLimiter(repo: LoginAttemptRepository, limits: LoginLimits) {
  const retryAfterSeconds = Math.ceil(limits.windowMs / 1000);
  return {
    async check(email: string, ip: string): Promise<LimitVerdict> {
      const counts = await repo.countRecent(email, ip, limits.windowMs);
      if (counts.account >= limits.maxPerAccount) return { limited: true, scope: 'account', retryAfterSeconds };
      if (counts.ip >= limits.maxPerIp) return { limited: true, scope: 'ip', retryAfterSeconds };
      return { limited: false };
    },
    recordFailure: (email: string, ip: string) => repo.recordFailure(email, ip, limits.windowMs),
    recordSuccess: (email: string) => repo.clearAccount(email),
  };
}

export type LoginRateLimiter = ReturnType<typeof loginRateLimiter>;
