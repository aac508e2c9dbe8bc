/**
 * Server-side sessions. The cookie carries 256 random bits; the database stores only their SHA-256,
 * so reading the session table does not let anyone sign in. Login always creates a new session
 * (rotation: a token planted before login is worthless after it).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { SessionRecord, SessionRepository } from '../store/session.repository.js';

/** The session cookie's name. */
export const SESSION_COOKIE = 'usersync_session';

/** Session lifetimes in milliseconds. */
export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
  /** Secure cookie (PUBLIC_URL is https). */
  secure: boolean;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** SHA-256 hex of a cookie token: the session's id in the database. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Cookie attributes for the session cookie (also used to clear it). */
export function sessionCookieOptions(policy: SessionPolicy): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'lax', secure: policy.secure, path: '/' };
}

/** Creates the session service over its repository. */
export function sessionService(repo: SessionRepository, policy: SessionPolicy) {
  return {
    /** A new session for an admin; returns the cookie token (shown to nobody but the browser). */
    async create(adminId: string, meta: { ip: string; userAgent: string | undefined }): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      await repo.insert({
        id: sessionIdOf(token),
        adminId,
        csrfToken: randomBytes(32).toString('base64url'),
        expiresAt: new Date(Date.now() + policy.absoluteMs),
        ip: meta.ip,
        userAgent: meta.userAgent,
      });
      return token;
    },

    /** The live session for a cookie token, refreshed; undefined when absent, malformed or expired. */
    async resume(token: string | undefined): Promise<SessionRecord | undefined> {
      if (!token || !TOKEN.test(token)) return undefined;
      return repo.touch(sessionIdOf(token), policy.idleMs);
    },

    async destroy(sessionId: string): Promise<void> {
      await repo.delete(sessionId);
    },

    /** Housekeeping: drops expired rows. */
    async prune(): Promise<number> {
      return repo.deleteExpired(policy.idleMs);
    },
  };
}

export type SessionService = ReturnType<typeof sessionService>;
