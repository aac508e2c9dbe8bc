/**
 * The key operations, used by the gRPC handlers and by `usersync key …` alike: validation, the
 * transaction boundaries, the audit rows and the outbox event. Inputs and outputs are plain
 * domain types; the handlers translate to and from protobuf.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { encodeEvent, newEvent } from '@usersync/contracts';
import {
  ConflictError,
  NotFoundError,
  RetryableError,
  ValidationError,
  enqueueEvent,
  errorCodeOf,
  withTransaction,
} from '@usersync/platform';
import { validateActor, type KeyActor } from '../domain/actor.js';
import {
  generateSecret,
  hashSecret,
  hashesEqual,
  isWellFormedSecret,
  rejectReason,
  validateNewKey,
  type NewKeyInput,
  type RejectReason,
} from '../domain/api-key.js';
import * as repo from '../store/api-key.repository.js';
import type { ApiKeyRecord } from '../store/api-key.repository.js';
import { OWNER } from '../store/schema.js';

/** What the operations need. */
export interface KeyDeps {
  pool: pg.Pool;
  /** Clock for expiry checks (tests). */
  now?: () => Date;
}

/** A created key: the only place the secret ever appears. */
export interface CreatedKey {
  key: ApiKeyRecord;
  secret: string;
}

/** Creates a key and its `create` audit row in one transaction; returns the secret once. */
export async function createKey(
  deps: KeyDeps,
  input: NewKeyInput & { actor: KeyActor | undefined },
): Promise<CreatedKey> {
  const spec = validateNewKey(input, deps.now?.() ?? new Date());
  const actor = validateActor(input.actor);
  const generated = generateSecret();
  const key = await withTransaction(deps.pool, async (client) => {
    const inserted = await insertUniquelyNamed(client, {
      id: randomUUID(),
      name: spec.name,
      displayPrefix: generated.displayPrefix,
      secretHash: generated.hash,
      scopes: spec.scopes,
      createdBy: actor,
      expiresAt: spec.expiresAt,
    });
    await repo.insertAudit(client, { keyId: inserted.id, action: 'create', actor });
    return inserted;
  });
  return { key, secret: generated.secret };
}

/** The unique index on active key names (migration 002). */
const ACTIVE_NAME_INDEX = 'api_key_active_name_key';

/** Inserts the key; a name already used by an active key is a typed conflict (`API_KEY_NAME_TAKEN`). */
async function insertUniquelyNamed(client: repo.Queryable, key: repo.InsertKey): Promise<ApiKeyRecord> {
  try {
    return await repo.insertKey(client, key);
  } catch (err) {
    const constraint = (err as { constraint?: unknown }).constraint;
    if (errorCodeOf(err) === '23505' && constraint === ACTIVE_NAME_INDEX) {
      throw new ConflictError('API_KEY_NAME_TAKEN', `an active key is already named "${key.name}"`, { cause: err });
    }
    throw err;
  }
}

/** Keys, newest first, metadata only. */
export function listKeys(deps: KeyDeps, opts: { includeRevoked: boolean }): Promise<ApiKeyRecord[]> {
  return repo.listKeys(deps.pool, opts);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws a ValidationError naming `path` unless `id` is a uuid. */
export function assertKeyId(id: string, path = 'keyId'): string {
  if (!UUID.test(id.trim()))
    throw new ValidationError('KEY_ID_INVALID', `${path} must be a key id (uuid)`, [{ path, message: 'not a uuid' }]);
  return id.trim().toLowerCase();
}

/** The outcome of a revoke: `revoked` is false when the key had already been revoked (a no-op). */
export interface RevokeOutcome {
  key: ApiKeyRecord;
  revoked: boolean;
}

/**
 * Revokes a key. In one transaction: the row, the `revoke` audit row and `sync.key.revoked` in the
 * outbox. Revoking a revoked key changes nothing and publishes nothing (the caller sees it unchanged).
 */
export async function revokeKey(
  deps: KeyDeps,
  input: { keyId: string; actor: KeyActor | undefined },
): Promise<RevokeOutcome> {
  const keyId = assertKeyId(input.keyId);
  const actor = validateActor(input.actor);
  return withTransaction(deps.pool, async (client) => {
    const current = await repo.findKeyById(client, keyId, { forUpdate: true });
    if (!current) throw new NotFoundError('KEY_NOT_FOUND', `no key with id ${keyId}`);
    if (current.revokedAt) return { key: current, revoked: false };
    const key = await repo.markRevoked(client, keyId, actor);
    if (!key) throw new Error(`key ${keyId} was locked but not revoked`);
    await repo.insertAudit(client, { keyId, action: 'revoke', actor });
    const event = newEvent('sync.key.revoked', { keyId, occurredAt: key.revokedAt ?? new Date() });
    await enqueueEvent(client, OWNER, {
      eventId: event.eventId,
      subject: 'sync.key.revoked',
      payload: encodeEvent('sync.key.revoked', event),
    });
    return { key, revoked: true };
  });
}

/** The answer of VerifyKey. Key facts are present whenever the secret matched a key. */
export interface Verification {
  valid: boolean;
  reason: RejectReason | undefined;
  key: Pick<ApiKeyRecord, 'id' | 'name' | 'scopes' | 'expiresAt'> | undefined;
}

/**
 * Checks a presented secret for `requiredScope` ('' = validity only). A malformed secret is refused
 * before touching the database; a found key is compared in constant time on its hash, then checked
 * for revocation, expiry and scope. A successful use updates last_used_at at most once a minute.
 */
export async function verifyKey(
  deps: KeyDeps,
  input: { secret: string; requiredScope: string },
): Promise<Verification> {
  if (!isWellFormedSecret(input.secret)) return { valid: false, reason: 'malformed', key: undefined };
  const hash = hashSecret(input.secret);
  // A store failure is "try again" (UNAVAILABLE → the gateway answers 503), never "refused".
  const found = await repo.findKeyByHash(deps.pool, hash).catch((err: unknown) => {
    throw new RetryableError('KEY_STORE_UNAVAILABLE', 'key store unavailable', { cause: err });
  });
  // The index lookup is by hash; comparing the hashes again in constant time means no code path
  // ever accepts a secret on a short-circuiting comparison.
  if (!found || !hashesEqual(found.secretHash, hash)) return { valid: false, reason: 'unknown', key: undefined };
  const key = { id: found.id, name: found.name, scopes: found.scopes, expiresAt: found.expiresAt };
  const reason = rejectReason(found, input.requiredScope.trim(), deps.now?.() ?? new Date());
  if (reason) return { valid: false, reason, key };
  // Skip the write entirely when the row shows a recent use; the UPDATE's own condition covers races.
  const lastUsed = found.lastUsedAt?.getTime() ?? 0;
  if (Date.now() - lastUsed >= 60_000) await repo.touchLastUsed(deps.pool, found.id);
  return { valid: true, reason: undefined, key };
}
