/**
 * What the SCIM batcher reads and writes in schema `scim`: the change rows it takes, the active users
 * page by page with their groups, every group, and the source's state. Read in one REPEATABLE READ
 * transaction, so the snapshot and the change rows it takes are of one moment: a write committed later
 * leaves its change row for the next window.
 */
import type pg from 'pg';
import type { ScimResource } from '@usersync/scim';

/** Deletes the change rows this transaction sees; returns how many there were and when the last was made. */
export async function takeScimChanges(tx: pg.PoolClient): Promise<{ count: number; lastAt: Date | null }> {
  const { rows } = await tx.query<{ n: number; last: Date | null }>(
    'WITH taken AS (DELETE FROM scim.change RETURNING at) SELECT count(*)::int AS n, max(at) AS last FROM taken',
  );
  return { count: rows[0]!.n, lastAt: rows[0]!.last };
}

/** Whether any change waits (a cheap look before a batch transaction is opened). */
export async function scimChangesWaiting(db: pg.Pool | pg.PoolClient): Promise<boolean> {
  const { rows } = await db.query<{ waiting: boolean }>('SELECT EXISTS (SELECT 1 FROM scim.change) AS waiting');
  return rows[0]!.waiting;
}

/** An active SCIM user with the ids of the groups it is a direct member of. */
export interface ActiveScimUser {
  id: string;
  userName: string;
  externalId: string | null;
  resource: ScimResource;
  groupIds: string[];
}

/** The next page of active users after `afterId` (uuid order), with their groups. */
export async function activeScimUsersPage(
  tx: pg.PoolClient,
  afterId: string | null,
  limit: number,
): Promise<ActiveScimUser[]> {
  const { rows } = await tx.query<{
    id: string;
    user_name: string;
    external_id: string | null;
    resource: ScimResource;
    group_ids: string[];
  }>(
    `SELECT u.id, u.user_name, u.external_id, u.resource,
       ARRAY(SELECT m.group_id::text FROM scim.member m WHERE m.user_id = u.id ORDER BY m.group_id) AS group_ids
     FROM scim."user" u
     WHERE u.active AND ($1::uuid IS NULL OR u.id > $1::uuid)
     ORDER BY u.id LIMIT $2`,
    [afterId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    userName: r.user_name,
    externalId: r.external_id,
    resource: r.resource,
    groupIds: r.group_ids,
  }));
}

/** Every SCIM group: id and displayName. */
export async function allScimGroups(tx: pg.PoolClient): Promise<{ id: string; displayName: string }[]> {
  const { rows } = await tx.query<{ id: string; display_name: string }>(
    'SELECT id, display_name FROM scim."group" ORDER BY id',
  );
  return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
}

/** Records the run the batcher opened, and when the last change it carries was made. */
export async function recordScimBatch(tx: pg.PoolClient, runId: number, lastChangeAt: Date | null): Promise<void> {
  await tx.query(
    `UPDATE scim.source_state SET last_run_id = $1, last_batch_at = now(),
       last_change_at = greatest(last_change_at, $2::timestamptz) WHERE id`,
    [runId, lastChangeAt],
  );
}

/** The SCIM source as the portal shows it. */
export interface ScimSourceState {
  lastChangeAt: Date | null;
  lastBatchAt: Date | null;
  lastRunId: number | null;
  changesWaiting: number;
  users: number;
  activeUsers: number;
  groups: number;
}

export async function readScimSourceState(db: pg.Pool | pg.PoolClient): Promise<ScimSourceState> {
  const { rows } = await db.query<{
    last_change_at: Date | null;
    last_batch_at: Date | null;
    last_run_id: string | null;
    waiting: number;
    users: number;
    active: number;
    groups: number;
  }>(
    `SELECT greatest(s.last_change_at, (SELECT max(at) FROM scim.change)) AS last_change_at, s.last_batch_at, s.last_run_id,
       (SELECT count(*)::int FROM scim.change) AS waiting,
       (SELECT count(*)::int FROM scim."user") AS users,
       (SELECT count(*)::int FROM scim."user" WHERE active) AS active,
       (SELECT count(*)::int FROM scim."group") AS groups
     FROM scim.source_state s WHERE s.id`,
  );
  const r = rows[0]!;
  return {
    lastChangeAt: r.last_change_at,
    lastBatchAt: r.last_batch_at,
    lastRunId: r.last_run_id === null ? null : Number(r.last_run_id),
    changesWaiting: r.waiting,
    users: r.users,
    activeUsers: r.active,
    groups: r.groups,
  };
}
