/**
 * API key secrets and the rules for creating keys: pure functions, no I/O. The secret is `usk_`
 * followed by 32 random bytes in base64url (43 characters); only its SHA-256 hash is ever stored.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '@usersync/platform';

/** Recognisable prefix of every secret, so secret scanners (and people) can spot a leaked key. */
export const SECRET_PREFIX = 'usk_';
/** Random bytes in a secret: 256 bits. */
export const SECRET_BYTES = 32;
/** Characters of the random part shown in listings after the prefix. */
export const DISPLAY_CHARS = 8;
/** Longest key name, in characters. */
export const MAX_NAME_LENGTH = 100;

/**
 * Every scope a key may hold. `sync:upload` covers the upload API and run status; `scim` the SCIM 2.0
 * endpoints at /scim/v2 (a provisioning client needs no upload rights, and an upload script no SCIM ones).
 */
export const KNOWN_SCOPES = ['sync:upload', 'scim'] as const;
/** A scope a key may hold. */
export type Scope = (typeof KNOWN_SCOPES)[number];
/** Scopes granted when a create request names none. */
export const DEFAULT_SCOPES: readonly Scope[] = ['sync:upload'];

// base64url of 32 bytes is exactly 43 characters with no padding.
const SECRET_PATTERN = new RegExp(`^${SECRET_PREFIX}[A-Za-z0-9_-]{43}$`);

/** A freshly generated secret with what may be stored of it. */
export interface GeneratedSecret {
  /** The full secret: shown to its creator once, never stored. */
  secret: string;
  /** SHA-256 of the secret. */
  hash: Buffer;
  /** `usk_` plus the first characters of the random part. */
  displayPrefix: string;
}

/** Generates a new 256-bit secret. */
export function generateSecret(): GeneratedSecret {
  const secret = SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
  return { secret, hash: hashSecret(secret), displayPrefix: displayPrefixOf(secret) };
}

/** SHA-256 of a presented secret (the whole string, prefix included). */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** The part of a secret that listings show. */
export function displayPrefixOf(secret: string): string {
  return secret.slice(0, SECRET_PREFIX.length + DISPLAY_CHARS);
}

/** True when `secret` has the shape of a key secret (checked before any database lookup). */
export function isWellFormedSecret(secret: string): boolean {
  return SECRET_PATTERN.test(secret);
}

/** Constant-time equality of two SHA-256 hashes (false for different lengths). */
export function hashesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What CreateKey needs after validation. */
export interface NewKeySpec {
  name: string;
  scopes: Scope[];
  expiresAt: Date | undefined;
}

/** The raw create input, from gRPC or the CLI. */
export interface NewKeyInput {
  name: string;
  scopes?: readonly string[];
  expiresAt?: Date | undefined;
}

/**
 * Validates a create request: name trimmed, 1..100 characters; scopes known (default
 * `sync:upload`, duplicates removed); expiry, when set, in the future. Throws one ValidationError
 * listing every problem with its field.
 */
export function validateNewKey(input: NewKeyInput, now: Date = new Date()): NewKeySpec {
  const problems: Array<{ path: string; message: string }> = [];
  const name = (input.name ?? '').trim();
  if (name.length === 0) problems.push({ path: 'name', message: 'name is required' });
  else if ([...name].length > MAX_NAME_LENGTH)
    problems.push({ path: 'name', message: `name is longer than ${MAX_NAME_LENGTH} characters` });
  // Control characters would make listings and the audit log misleading.
  else if (/\p{Cc}/u.test(name)) problems.push({ path: 'name', message: 'name contains control characters' });

  const requested = (input.scopes ?? []).map((s) => s.trim()).filter((s) => s.length > 0);
  const scopes: Scope[] = [];
  for (const [i, scope] of requested.entries()) {
    if (!(KNOWN_SCOPES as readonly string[]).includes(scope)) {
      problems.push({
        path: `scopes[${i}]`,
        message: `unknown scope "${scope}" (known: ${KNOWN_SCOPES.join(', ')})`,
      });
    } else if (!scopes.includes(scope as Scope)) scopes.push(scope as Scope);
  }

  const expiresAt = input.expiresAt;
  if (expiresAt !== undefined) {
    if (Number.isNaN(expiresAt.getTime())) problems.push({ path: 'expiresAt', message: 'expiry is not a valid date' });
    else if (expiresAt.getTime() <= now.getTime())
      problems.push({ path: 'expiresAt', message: 'expiry must be in the future' });
  }

  if (problems.length > 0) {
    throw new ValidationError('KEY_INVALID', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  }
  return { name, scopes: scopes.length > 0 ? scopes : [...DEFAULT_SCOPES], expiresAt };
}

/** Why a presented secret is refused; `undefined` when it is accepted. */
export type RejectReason = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'missing_scope';

/** The stored facts VerifyKey decides on. */
export interface KeyStatus {
  scopes: readonly string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Decides whether a found key is usable for `requiredScope` ('' = validity only) at `now`. */
export function rejectReason(key: KeyStatus, requiredScope: string, now: Date = new Date()): RejectReason | undefined {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (requiredScope !== '' && !key.scopes.includes(requiredScope)) return 'missing_scope';
  return undefined;
}
