import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@usersync/platform';
import {
  DEFAULT_SCOPES,
  SECRET_PREFIX,
  displayPrefixOf,
  generateSecret,
  hashSecret,
  hashesEqual,
  isWellFormedSecret,
  rejectReason,
  validateNewKey,
} from './api-key.js';

const now = new Date('2026-06-01T00:00:00Z');

function validationDetails(fn: () => unknown): unknown[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).details;
  }
  throw new Error('expected a ValidationError');
}

describe(generateSecret.name, () => {
  it('makes a prefixed 256-bit base64url secret, its SHA-256 hash and a short display prefix', () => {
    const g = generateSecret();
    expect(g.secret).toMatch(/^usk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(g.secret.slice(SECRET_PREFIX.length), 'base64url')).toHaveLength(32);
    expect(g.hash.equals(createHash('sha256').update(g.secret).digest())).toBe(true);
    expect(g.displayPrefix).toBe(g.secret.slice(0, 12));
    expect(displayPrefixOf(g.secret)).toBe(g.displayPrefix);
    expect(isWellFormedSecret(g.secret)).toBe(true);
  });

  it('never repeats a secret', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateSecret().secret));
    expect(secrets.size).toBe(1000);
  });
});

describe(isWellFormedSecret.name, () => {
  it('refuses anything that is not usk_ plus 43 base64url characters', () => {
    const good = generateSecret().secret;
    for (const bad of [
      '',
      'usk_',
      good.slice(0, -1),
      `${good}A`,
      good.replace('usk_', 'usx_'),
      `${good.slice(0, -1)}=`,
      ` ${good}`,
    ])
      expect(isWellFormedSecret(bad), bad).toBe(false);
  });
});

describe(hashesEqual.name, () => {
  it('compares hashes of equal length in constant time, and refuses different lengths', () => {
    const a = hashSecret('usk_a');
    expect(hashesEqual(a, hashSecret('usk_a'))).toBe(true);
    expect(hashesEqual(a, hashSecret('usk_b'))).toBe(false);
    expect(hashesEqual(a, a.subarray(0, 16))).toBe(false);
  });
});

describe(validateNewKey.name, () => {
  it('trims the name, defaults the scopes and accepts a future expiry', () => {
    const expiresAt = new Date('2027-01-01T00:00:00Z');
    expect(validateNewKey({ name: '  HR nightly  ', expiresAt }, now)).toEqual({
      name: 'HR nightly',
      scopes: [...DEFAULT_SCOPES],
      expiresAt,
    });
    expect(validateNewKey({ name: 'x', scopes: ['sync:upload', ' sync:upload '] }, now).scopes).toEqual([
      'sync:upload',
    ]);
  });

  it('lists every problem with its field', () => {
    const details = validationDetails(() =>
      validateNewKey({ name: '   ', scopes: ['sync:upload', 'admin:all'], expiresAt: new Date('2020-01-01') }, now),
    );
    expect(details).toEqual([
      { path: 'name', message: 'name is required' },
      { path: 'scopes[1]', message: 'unknown scope "admin:all" (known: sync:upload, scim)' },
      { path: 'expiresAt', message: 'expiry must be in the future' },
    ]);
  });

  it('allows 100 characters of name and refuses 101, or control characters', () => {
    expect(validateNewKey({ name: 'é'.repeat(100) }, now).name).toHaveLength(100);
    expect(validationDetails(() => validateNewKey({ name: 'a'.repeat(101) }, now))).toHaveLength(1);
    expect(validationDetails(() => validateNewKey({ name: 'a\u001b[31m' }, now))).toEqual([
      { path: 'name', message: 'name contains control characters' },
    ]);
  });
});

describe(rejectReason.name, () => {
  const key = { scopes: ['sync:upload'], expiresAt: null, revokedAt: null };
  it('accepts a live key with the scope, or with no scope asked', () => {
    expect(rejectReason(key, 'sync:upload', now)).toBeUndefined();
    expect(rejectReason(key, '', now)).toBeUndefined();
  });
  it('refuses revoked before expired before missing scope', () => {
    const past = new Date('2026-01-01');
    expect(rejectReason({ ...key, revokedAt: past, expiresAt: past }, 'x', now)).toBe('revoked');
    expect(rejectReason({ ...key, expiresAt: past }, 'x', now)).toBe('expired');
    expect(rejectReason({ ...key, expiresAt: now }, '', now)).toBe('expired');
    expect(rejectReason(key, 'admin:all', now)).toBe('missing_scope');
  });
});
