/**
 * A first import's creates, written straight into their final tables by COPY while the feed is still
 * being transformed: users, sync memberships, history, last records, the stored plan and the run's log
 * lines, plus a slim row per user in the temp `plan` table so counts, digest and events come out as from
 * the planned path. Only for a directory with no user at all, where every valid record is a create (see
 * usecases/direct-import.ts); COPY is cheaper than the planned path's INSERT … SELECT from the feed and runs
 * beside the engine instead of after it (figures: "apply-worker engine" in bench/README.md). The stored plan's
 * rows and the log lines go through run-state (runs.run_plan and runs.run_log belong to the runs owner).
 */
import type pg from 'pg';
import type { CopyStatement } from '@usersync/platform';
import { runLogCopy, runPlanCopy } from '@usersync/run-state';
import { copyOf } from '../engine/copy-writer.js';
import type { EncodedCreates } from '../engine/create-rows.js';

/**
 * The COPYs of encoded creates into the directory, the stored plan, the temp `plan` table and the run's
 * log, for one copyBatch with the chunk's other rows (the buffers are taken).
 */
export function createsCopies(e: EncodedCreates): CopyStatement[] {
  return [
    copyOf(
      `COPY directory."user" (id, username, title, name_first, name_last, email, active, in_feed, error, managed,
       tags, profile, desired_digest, last_run_id) FROM STDIN`,
      e.users,
    ),
    copyOf('COPY directory.membership (user_id, group_code, source) FROM STDIN', e.memberships),
    copyOf('COPY directory.history (run_id, user_id, action, changes) FROM STDIN', e.history),
    copyOf('COPY directory.last_record (user_id, run_id, record, record_digest) FROM STDIN', e.records),
    runPlanCopy(e.stored.take()), // columns: run-state's RUN_PLAN_COPY_COLUMNS
    copyOf('COPY plan (username, rec, user_id, action, new_digest) FROM STDIN', e.plan),
    runLogCopy(e.log.take()), // columns: run-state's RUN_LOG_COPY_COLUMNS
  ];
}

/**
 * User ids for direct creates: the directory is empty and only this worker, under the apply lock,
 * creates users, so ids are counted here from the sequence's next value, and the sequence is moved past
 * the last one when the transform is done (a rollback leaves a gap, as nextval would).
 */
export async function firstUserId(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ id: string }>(`SELECT nextval('directory.user_id_seq') AS id`);
  return Number(rows[0]!.id);
}

/** Moves the user id sequence past `lastId` (after direct creates). */
export async function userIdsUsedUpTo(client: pg.ClientBase, lastId: number): Promise<void> {
  await client.query(`SELECT setval('directory.user_id_seq', greatest($1::bigint, 1), $1::bigint > 0)`, [lastId]);
}

/** True when the directory has no user at all (not even blocked or unmanaged ones). */
export async function directoryIsEmpty(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ empty: boolean }>(
    'SELECT NOT EXISTS (SELECT 1 FROM directory."user") AS empty',
  );
  return rows[0]!.empty;
}

/** The directory tables a direct first import fills. */
const LOADED_TABLES = ['user', 'membership', 'history', 'last_record'];

/**
 * Index definitions taken off the loaded tables, to be built again after the load: every index but the
 * primary keys (their keys arrive in order: ids are counted up), unique constraints included.
 */
export interface LoadIndexes {
  indexes: string[];
  constraints: Array<{ table: string; name: string; definition: string }>;
}

/**
 * Drops the secondary indexes and unique constraints of the tables a direct first import fills, so the
 * load maintains none of them row by row: into an empty directory, building each once afterwards (a
 * sort) is far cheaper, and at a few million users random inserts into indexes larger than PostgreSQL's
 * buffers made the load superlinear (bench/README.md). Read from the catalogue, so an index a later
 * migration adds is handled too. Inside the run's transaction: a rollback brings them all back, and until
 * the commit readers of these tables wait (the directory is empty until then anyway).
 */
export async function dropLoadIndexes(client: pg.ClientBase): Promise<LoadIndexes> {
  const { rows: constraints } = await client.query<{ table: string; name: string; definition: string }>(
    `SELECT t.relname AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS definition
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = 'directory' AND t.relname = ANY($1) AND c.contype = 'u'
       AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
     ORDER BY t.relname, c.conname`,
    [LOADED_TABLES],
  );
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(
    `SELECT quote_ident(ic.relname) AS name, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = 'directory' AND t.relname = ANY($1) AND NOT i.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
     ORDER BY ic.relname`,
    [LOADED_TABLES],
  );
  for (const c of constraints)
    await client.query(`ALTER TABLE directory.${quoteIdent(c.table)} DROP CONSTRAINT ${quoteIdent(c.name)}`);
  for (const i of indexes) await client.query(`DROP INDEX directory.${i.name}`);
  return { indexes: indexes.map((i) => i.definition), constraints };
}

/** Builds what dropLoadIndexes dropped, with room to sort in memory. */
export async function buildLoadIndexes(client: pg.ClientBase, dropped: LoadIndexes): Promise<void> {
  await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
  for (const c of dropped.constraints) {
    await client.query(
      `ALTER TABLE directory.${quoteIdent(c.table)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`,
    );
  }
  for (const definition of dropped.indexes) await client.query(definition);
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
