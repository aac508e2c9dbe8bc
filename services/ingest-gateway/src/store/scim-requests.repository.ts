/**
 * The SCIM source's last request and last failed request (scim.source_state, migration 013), written by the
 * request recorder at most about once a second per process and read by SourceService.
 */
import type { Queryable } from '@usersync/run-state';

/** One request to /scim/v2 as it was answered. */
export interface ScimRequestRecord {
  at: Date;
  /** The API key that made it; null when the request carried no valid scim key. */
  keyId: string | null;
  keyName: string | null;
  method: string;
  /** Without the query string. */
  path: string;
  status: number;
}

interface StoredRequest {
  at: string;
  keyId: string | null;
  keyName: string | null;
  method: string;
  path: string;
  status: number;
}

const toStored = (r: ScimRequestRecord): StoredRequest => ({ ...r, at: r.at.toISOString() });
const fromStored = (s: StoredRequest | null): ScimRequestRecord | null =>
  s === null ? null : { ...s, at: new Date(s.at) };

/**
 * Stores the latest request and the latest failed one (either may be null: nothing new). A stored request
 * newer than the one given is kept: another replica wrote after this one saw its request.
 */
export async function saveScimRequests(
  db: Queryable,
  latest: ScimRequestRecord | null,
  failed: ScimRequestRecord | null,
): Promise<void> {
  await db.query(
    `UPDATE scim.source_state SET
       last_request = CASE WHEN $1::jsonb IS NOT NULL AND (last_request IS NULL
         OR (last_request->>'at')::timestamptz <= ($1::jsonb->>'at')::timestamptz) THEN $1::jsonb ELSE last_request END,
       last_failed_request = CASE WHEN $2::jsonb IS NOT NULL AND (last_failed_request IS NULL
         OR (last_failed_request->>'at')::timestamptz <= ($2::jsonb->>'at')::timestamptz) THEN $2::jsonb
         ELSE last_failed_request END
     WHERE id`,
    [latest && JSON.stringify(toStored(latest)), failed && JSON.stringify(toStored(failed))],
  );
}

/** The stored last request and last failed request. */
export async function readScimRequests(
  db: Queryable,
): Promise<{ last: ScimRequestRecord | null; lastFailed: ScimRequestRecord | null }> {
  const { rows } = await db.query<{ last_request: StoredRequest | null; last_failed_request: StoredRequest | null }>(
    'SELECT last_request, last_failed_request FROM scim.source_state WHERE id',
  );
  return {
    last: fromStored(rows[0]?.last_request ?? null),
    lastFailed: fromStored(rows[0]?.last_failed_request ?? null),
  };
}
