/**
 * Entra-style bulk upload: every operation creates or replaces one SCIM user, matched on externalId
 * (userName when there is none), in a savepoint of its own so one bad operation fails alone. The whole
 * request is one transaction: its results are stored with it, and the SCIM source is marked changed
 * once. `failOnErrors` stops processing after that many failures; later operations get no result.
 */
import type pg from 'pg';
import { withTransaction } from '@usersync/platform';
import type { StoredActor } from '@usersync/run-state';
import {
  BULK_RESPONSE_SCHEMA,
  USER_RESOURCE,
  errorBody,
  etagOf,
  normalizeResource,
  parseBulkUpload,
  ScimError,
  type BulkResult,
  type BulkUserOperation,
} from '@usersync/scim';
import { insertBulkRequest, type BulkRequestRow } from '../store/scim-bulk.repository.js';
import {
  bumpScimChange,
  insertScimUser,
  matchScimUser,
  ScimConflict,
  updateScimUser,
} from '../store/scim-users.repository.js';

export function bulkResponse(row: BulkRequestRow, baseUrl: string) {
  return {
    schemas: [BULK_RESPONSE_SCHEMA],
    id: row.id,
    receivedAt: row.receivedAt.toISOString(),
    operationCount: row.operationCount,
    failedCount: row.failedCount,
    Operations: row.results,
    meta: { resourceType: 'BulkUpload', location: `${baseUrl}/bulkUpload/${row.id}` },
  };
}

async function applyOne(tx: pg.PoolClient, op: BulkUserOperation, baseUrl: string): Promise<BulkResult> {
  const base = { method: 'POST' as const, ...(op.bulkId === undefined ? {} : { bulkId: op.bulkId }) };
  const failed = (err: ScimError) => ({ ...base, status: String(err.status), response: errorBody(err) });
  if (op.problem) return failed(op.problem);
  try {
    const resource = normalizeResource(USER_RESOURCE, op.data);
    await tx.query('SAVEPOINT bulk_op');
    try {
      const found = await matchScimUser(tx, resource.externalId as string | undefined, String(resource.userName));
      const row = found ? await updateScimUser(tx, found.id, resource) : await insertScimUser(tx, resource);
      await tx.query('RELEASE SAVEPOINT bulk_op');
      return {
        ...base,
        status: found ? '200' : '201',
        location: `${baseUrl}/Users/${row.id}`,
        version: etagOf(row.version),
      };
    } catch (err) {
      await tx.query('ROLLBACK TO SAVEPOINT bulk_op');
      if (err instanceof ScimConflict)
        throw new ScimError(
          409,
          'uniqueness',
          `userName ${JSON.stringify(err.message)} belongs to another user (a different externalId).`,
        );
      throw err;
    }
  } catch (err) {
    if (err instanceof ScimError)
      return failed(new ScimError(err.status, err.scimType, `Operations[${op.index}]: ${err.detail}`));
    throw err;
  }
}

export async function bulkUpload(
  pool: pg.Pool,
  body: unknown,
  actor: StoredActor,
  baseUrl: string,
  maxOperations: number,
) {
  const request = parseBulkUpload(body, maxOperations);
  return withTransaction(pool, async (tx) => {
    const results: BulkResult[] = [];
    let failures = 0;
    for (const op of request.operations) {
      if (request.failOnErrors !== undefined && failures >= request.failOnErrors) break;
      const result = await applyOne(tx, op, baseUrl);
      if (Number(result.status) >= 400) failures++;
      results.push(result);
    }
    if (results.some((r) => Number(r.status) < 400)) await bumpScimChange(tx);
    return insertBulkRequest(tx, actor, results, request.operations.length);
  });
}
