/**
 * SQL of the `keys` schema. Functions take a pool or a client already inside a transaction; the
 * operations module decides the transaction boundaries. No function ever sees a plain secret.
 */
import type pg from 'pg';
import type { KeyActor } from '../domain/actor.js';

/** A pool or a client (inside the caller's transaction). */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** A key's stored metadata (never the secret, never its hash). */
export interface ApiKeyRecord {
  id: string;
  name: string;
  displayPrefix: string;
  scopes: string[];
  createdAt: Date;
  createdBy: KeyActor;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedBy: KeyActor | null;
  lastUsedAt: Date | null;
}

/** A key found by its secret hash, for VerifyKey. */
export interface ApiKeyMatch extends ApiKeyRecord {
  secretHash: Buffer;
}

/** One row of `key_audit`. */
export interface KeyAuditRecord {
  id: string;
  keyId: string;
  action: 'create' | 'revoke';
  actor: KeyActor;
  at: Date;
}

interface ApiKeyRow {
  id: string;
  name: string;
  display_prefix: string;
  scopes: string[];
  created_at: Date;
  created_by: KeyActor;
  expires_at: Date | null;
  revoked_at: Date | null;
  revoked_by: KeyActor | null;
  last_used_at: Date | null;
}

const COLUMNS =
  'id, name, display_prefix, scopes, created_at, created_by, expires_at, revoked_at, revoked_by, last_used_at';

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    displayPrefix: row.display_prefix,
    scopes: row.scopes,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    lastUsedAt: row.last_used_at,
  };
}

/** What insertKey stores. */
export interface InsertKey {
  id: string;
  name: string;
  displayPrefix: string;
  secretHash: Buffer;
  scopes: readonly string[];
  createdBy: KeyActor;
  expiresAt: Date | undefined;
}

/** Inserts a key; returns its stored metadata. */
export async function insertKey(db: Queryable, key: InsertKey): Promise<ApiKeyRecord> {
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO keys.api_key (id, name, display_prefix, secret_hash, scopes, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [key.id, key.name, key.displayPrefix, key.secretHash, key.scopes, key.createdBy, key.expiresAt ?? null],
  );
  return toRecord(rows[0]!);
}

/** Keys, newest first; revoked ones only when asked. */
export async function listKeys(db: Queryable, opts: { includeRevoked: boolean }): Promise<ApiKeyRecord[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM keys.api_key
     WHERE $1 OR revoked_at IS NULL
     ORDER BY created_at DESC, id DESC`,
    [opts.includeRevoked],
  );
  return rows.map(toRecord);
}

/** One key by id; `forUpdate` locks the row for the caller's transaction. */
export async function findKeyById(
  db: Queryable,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<ApiKeyRecord | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM keys.api_key WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** The key whose secret hashes to `hash`, if any. */
export async function findKeyByHash(db: Queryable, hash: Buffer): Promise<ApiKeyMatch | undefined> {
  const { rows } = await db.query<ApiKeyRow & { secret_hash: Buffer }>(
    `SELECT ${COLUMNS}, secret_hash FROM keys.api_key WHERE secret_hash = $1`,
    [hash],
  );
  const row = rows[0];
  return row ? { ...toRecord(row), secretHash: row.secret_hash } : undefined;
}

/** Marks a key revoked (only if it is not already); returns the updated key or undefined. */
export async function markRevoked(db: Queryable, id: string, actor: KeyActor): Promise<ApiKeyRecord | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    `UPDATE keys.api_key SET revoked_at = now(), revoked_by = $2
     WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
    [id, actor],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/**
 * Records a successful use, at most once a minute per key: the WHERE clause keeps concurrent
 * verifications (and replicas) from writing the row on every request. Returns true when it wrote.
 */
export async function touchLastUsed(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE keys.api_key SET last_used_at = now()
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [id],
  );
  return (rowCount ?? 0) > 0;
}

/** Appends a key action to `key_audit`. */
export async function insertAudit(
  db: Queryable,
  entry: { keyId: string; action: KeyAuditRecord['action']; actor: KeyActor },
): Promise<void> {
  await db.query(`INSERT INTO keys.key_audit (key_id, action, actor) VALUES ($1, $2, $3)`, [
    entry.keyId,
    entry.action,
    entry.actor,
  ]);
}

/** Key actions, newest first (optionally of one key), for the portal's audit page. */
export async function listKeyAudit(
  db: Queryable,
  opts: { keyId?: string; limit?: number } = {},
): Promise<KeyAuditRecord[]> {
  const { rows } = await db.query<{
    id: string;
    key_id: string;
    action: 'create' | 'revoke';
    actor: KeyActor;
    at: Date;
  }>(
    `SELECT id, key_id, action, actor, at FROM keys.key_audit
     WHERE $1::uuid IS NULL OR key_id = $1
     ORDER BY at DESC, id DESC LIMIT $2`,
    [opts.keyId ?? null, opts.limit ?? 100],
  );
  return rows.map((r) => ({ id: r.id, keyId: r.key_id, action: r.action, actor: r.actor, at: r.at }));
}
