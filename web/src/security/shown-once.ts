/**
 * Values shown exactly once on a GET page after a POST (post/redirect/get): the POST seals the value
 * and redirects; the first GET of the page opens and clears it; a reload finds it already shown and
 * says so. Sealed with AES-256-GCM under a key derived (HKDF) from the session's cookie token, which
 * only the browser holds (the database stores the token's SHA-256), and bound to the session's row.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { formsRepository } from '../store/forms.repository.js';

/** How long the page may be opened after the POST. */
export const SHOWN_ONCE_TTL_MS = 10 * 60_000;

function keyOf(sessionToken: string, subject: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sessionToken, 'usersync-shown-once', subject, 32));
}

function seal(plain: string, key: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(sealed: Buffer, key: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** The outcome of opening a shown-once page. */
export type ShownOnce =
  | { state: 'show'; subject: string; value: string }
  | { state: 'already_shown'; subject: string; shownAt: Date | null }
  | { state: 'gone' };

/** The shown-once store over the portal's pool. */
export function shownOnceStore(pool: Pick<pg.Pool, 'query'>) {
  const repo = formsRepository(pool);
  return {
    /** Seals `value` for this session; returns the ticket id for the GET page's URL. */
    put(session: { id: string; token: string }, subject: string, value: string): Promise<string> {
      const sealed = seal(value, keyOf(session.token, subject));
      return repo.insertShownOnce({ sessionId: session.id, subject, sealed, ttlMs: SHOWN_ONCE_TTL_MS });
    },
    /** Opens the ticket once: the value the first time, `already_shown` after, `gone` when unknown or expired. */
    async take(session: { id: string; token: string }, ticket: string): Promise<ShownOnce> {
      if (!/^[0-9a-f-]{36}$/.test(ticket)) return { state: 'gone' };
      const row = await repo.takeShownOnce(ticket, session.id);
      if (!row) return { state: 'gone' };
      if (!row.sealed) return { state: 'already_shown', subject: row.subject, shownAt: row.shownAt };
      const value = open(row.sealed, keyOf(session.token, row.subject));
      return value === undefined ? { state: 'gone' } : { state: 'show', subject: row.subject, value };
    },
  };
}
