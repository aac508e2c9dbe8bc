/**
 * Opaque cursor tokens for keyset paging: base64url JSON of `{k: key, d: direction}`. `next` pages
 * go on from after the key, `prev` pages come back from before it.
 */
import { ValidationError } from '@usersync/platform';
import { IngestCodes } from '../../domain/messages.js';

export interface PageCursor<K extends string | number> {
  key: K;
  direction: 'next' | 'prev';
}

/** Encodes a cursor. */
export function encodePageToken<K extends string | number>(key: K, direction: 'next' | 'prev'): string {
  return Buffer.from(JSON.stringify({ k: key, d: direction }), 'utf8').toString('base64url');
}

/** Decodes a token made by {@link encodePageToken}; '' means the first page. */
export function decodePageToken<K extends string | number>(
  token: string,
  keyType: 'string' | 'number',
): PageCursor<K> | undefined {
  if (!token) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown; d?: unknown };
    if (typeof parsed.k === keyType && (parsed.d === 'next' || parsed.d === 'prev')) {
      return { key: parsed.k as K, direction: parsed.d };
    }
  } catch {
    // Reported below.
  }
  throw new ValidationError(IngestCodes.badPageToken, 'page_token is not a token this server issued');
}

/** The page size to use: the default for 0, capped at `max`. */
export function pageSize(requested: number, defaultSize: number, max: number): number {
  if (!requested || requested < 0) return defaultSize;
  return Math.min(requested, max);
}
