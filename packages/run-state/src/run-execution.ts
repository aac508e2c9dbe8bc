/**
 * The runs schema as the apply worker executes a run: what it applies from (the run, the digest of the
 * preview an admin approved, the files) and the stored plan it writes and reads inside its transaction.
 * Typed functions, so no other owner's code names `runs.` tables in SQL.
 */
import type pg from 'pg';
import { copyBatch, type CopyStatement } from '@usersync/platform';
import { getRun, type Queryable, type RunRow } from './run.repository.js';
import type { PlanAction } from './run-plan.js';

/** A file of a run, as stored in the object store under its content digest. */
export interface RunFileRef {
  name: string;
  digest: string;
  size: number;
}

/** What a run is applied from. */
export interface RunForApply {
  run: RunRow;
  /** Digest of the plan an admin previewed (stored when the run was held), if any. */
  previewDigest: string | null;
  /** The run's files in name order. */
  files: RunFileRef[];
}

/** Loads a run for the apply worker; NotFoundError when it does not exist. */
export async function loadRunForApply(db: Queryable, runId: number): Promise<RunForApply> {
  const run = await getRun(db, runId);
  const files = await db.query<{ name: string; digest: string; size: string }>(
    'SELECT name, digest, size FROM runs.run_file WHERE run_id = $1 ORDER BY name',
    [runId],
  );
  return {
    run,
    previewDigest: run.planDigest,
    files: files.rows.map((f) => ({ name: f.name, digest: f.digest, size: Number(f.size) })),
  };
}

/** The columns of {@link copyRunPlanRows}' COPY text rows, in order (`changes` is JSON text). */
export const RUN_PLAN_COPY_COLUMNS = ['run_id', 'username', 'action', 'changes'] as const;

/**
 * The COPY of stored-plan rows: `buffers` hold COPY text rows (tab-separated, `\n`-terminated, values
 * escaped as COPY reads them) of {@link RUN_PLAN_COPY_COLUMNS}. For a writer that encodes rows as it
 * produces them (a first import's creates) and sends them with its other COPYs (platform's copyBatch).
 */
export function runPlanCopy(buffers: readonly Buffer[]): CopyStatement {
  return { sql: `COPY runs.run_plan (${RUN_PLAN_COPY_COLUMNS.join(', ')}) FROM STDIN`, data: buffers };
}

/** Appends stored-plan rows by COPY ({@link runPlanCopy}); nothing is sent when there are no buffers. */
export async function copyRunPlanRows(client: pg.ClientBase, buffers: readonly Buffer[]): Promise<void> {
  await copyBatch(client, [runPlanCopy(buffers)]);
}

/** One changed user of a stored plan, with the names of the fields it changes. */
export interface ChangedPlanUser {
  username: string;
  action: Exclude<PlanAction, 'unchanged'>;
  fields: string[];
}

/** Up to `limit` changed users of the run's stored plan, in username order. */
export async function listChangedPlanUsers(db: Queryable, runId: number, limit: number): Promise<ChangedPlanUser[]> {
  const { rows } = await db.query<ChangedPlanUser>(
    `SELECT username, action,
       coalesce(ARRAY(SELECT c ->> 'field' FROM json_array_elements(changes) AS c), '{}') AS fields
     FROM runs.run_plan WHERE run_id = $1 AND action <> 'unchanged' ORDER BY username LIMIT $2`,
    [runId, limit],
  );
  return rows;
}
