/** scim.bulk_request: bulk uploads and their per-operation results. */
import type { BulkResult } from '@usersync/scim';
import type { StoredActor } from '@usersync/run-state';
import { isResourceId, type Queryable } from './scim-users.repository.js';

export interface BulkRequestRow {
  id: string;
  receivedAt: Date;
  operationCount: number;
  failedCount: number;
  results: BulkResult[];
}

export async function insertBulkRequest(
  db: Queryable,
  actor: StoredActor,
  results: BulkResult[],
  operationCount: number,
): Promise<BulkRequestRow> {
  const failed = results.filter((r) => Number(r.status) >= 400).length;
  const { rows } = await db.query<{ id: string; received_at: Date }>(
    `INSERT INTO scim.bulk_request (actor, operation_count, failed_count, results) VALUES ($1, $2, $3, $4)
     RETURNING id, received_at`,
    [JSON.stringify(actor), operationCount, failed, JSON.stringify(results)],
  );
  return { id: rows[0]!.id, receivedAt: rows[0]!.received_at, operationCount, failedCount: failed, results };
}

export async function getBulkRequest(db: Queryable, id: string): Promise<BulkRequestRow | undefined> {
  if (!isResourceId(id)) return undefined;
  const { rows } = await db.query<{
    id: string;
    received_at: Date;
    operation_count: number;
    failed_count: number;
    results: BulkResult[];
  }>('SELECT id, received_at, operation_count, failed_count, results FROM scim.bulk_request WHERE id = $1', [id]);
  const r = rows[0];
  return (
    r && {
      id: r.id,
      receivedAt: r.received_at,
      operationCount: r.operation_count,
      failedCount: r.failed_count,
      results: r.results,
    }
  );
}
