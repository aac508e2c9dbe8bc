/** Queries and commands on runs.run that are not state transitions (those live in @usersync/run-state). */
import { NotFoundError } from '@usersync/platform';
import {
  mapRunRow,
  type Queryable,
  type RunRow,
  type RunSource,
  type RunStatus,
  type SourceGroup,
} from '@usersync/run-state';

/**
 * The source's open run (uploading, ready, held or running), locked for the caller's transaction; undefined
 * when none. Each source has at most one (run_one_open_idx); uploads and start-sync are the `file` source's.
 */
export async function lockOpenRun(db: Queryable, source: RunSource = 'file'): Promise<RunRow | undefined> {
  const { rows } = await db.query(
    `SELECT * FROM runs.run WHERE source = $1 AND status IN ('uploading', 'ready', 'held', 'running')
     ORDER BY id DESC LIMIT 1 FOR UPDATE`,
    [source],
  );
  return rows[0] ? mapRunRow(rows[0]) : undefined;
}

/** The open run without a lock (pre-checks before a long upload). */
export async function findOpenRun(db: Queryable, source: RunSource = 'file'): Promise<RunRow | undefined> {
  const { rows } = await db.query(
    `SELECT * FROM runs.run WHERE source = $1 AND status IN ('uploading', 'ready', 'held', 'running')
     ORDER BY id DESC LIMIT 1`,
    [source],
  );
  return rows[0] ? mapRunRow(rows[0]) : undefined;
}

/** One run, locked for the caller's transaction; NotFoundError when it does not exist. */
export async function lockRun(db: Queryable, runId: number): Promise<RunRow> {
  const { rows } = await db.query('SELECT * FROM runs.run WHERE id = $1 FOR UPDATE', [runId]);
  if (!rows[0]) throw new NotFoundError('RUN_NOT_FOUND', `Run ${runId} does not exist`);
  return mapRunRow(rows[0]);
}

/** The file source's most recently created run, locked (start-sync looks only at it, as Haplo does). */
export async function lockNewestRun(db: Queryable): Promise<RunRow | undefined> {
  const { rows } = await db.query(`SELECT * FROM runs.run WHERE source = 'file' ORDER BY id DESC LIMIT 1 FOR UPDATE`);
  return rows[0] ? mapRunRow(rows[0]) : undefined;
}

/** The source's last applied (complete) run, by when it finished: what the safety check compares with. */
export async function findLastAppliedRun(db: Queryable, source: RunSource = 'file'): Promise<RunRow | undefined> {
  const { rows } = await db.query(
    `SELECT * FROM runs.run WHERE source = $1 AND status = 'complete' ORDER BY finished_at DESC, id DESC LIMIT 1`,
    [source],
  );
  return rows[0] ? mapRunRow(rows[0]) : undefined;
}

/** Reserves the id of a run about to be created (a superseded run's reason names it). */
export async function nextRunId(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('runs.run', 'id')) AS id`);
  return Number(rows[0]!.id);
}

/** Inserts a run (of the `file` source unless told); the one-open-run index rejects a second open run of a source. */
export async function insertRun(
  db: Queryable,
  run: {
    id?: number;
    expectedFiles: readonly string[];
    status?: 'uploading' | 'ready';
    reappliedFrom?: number;
    source?: RunSource;
    sourceGroups?: readonly SourceGroup[];
  },
): Promise<RunRow> {
  const { rows } = await db.query(
    `INSERT INTO runs.run (id, status, expected_files, reapplied_from, ready_at, source, source_groups)
     VALUES (COALESCE($1, nextval(pg_get_serial_sequence('runs.run', 'id'))), $2, $3, $4,
             CASE WHEN $2 = 'ready' THEN now() END, $5, $6)
     RETURNING *`,
    [
      run.id ?? null,
      run.status ?? 'uploading',
      [...run.expectedFiles],
      run.reappliedFrom ?? null,
      run.source ?? 'file',
      JSON.stringify(run.sourceGroups ?? []),
    ],
  );
  return mapRunRow(rows[0]);
}

/** Replaces the file names that make a run ready (a new `_control` arrived in it). */
export async function setExpectedFiles(db: Queryable, runId: number, expectedFiles: readonly string[]): Promise<void> {
  await db.query('UPDATE runs.run SET expected_files = $2, updated_at = now() WHERE id = $1', [
    runId,
    [...expectedFiles],
  ]);
}

/**
 * A page of runs, newest first, strictly older than `beforeId` or newer than `afterId`, optionally only those
 * in `statuses` (served by run_status_idx (status, id DESC)) or of one source (run_source_idx). The portal's
 * list and the upload API's.
 */
export async function listRuns(
  db: Queryable,
  page: { beforeId?: number; afterId?: number; limit: number; statuses?: readonly RunStatus[]; source?: RunSource },
): Promise<RunRow[]> {
  const statuses = page.statuses?.length ? [...page.statuses] : null;
  const where = '($3::text[] IS NULL OR status = ANY($3::text[])) AND ($4::text IS NULL OR source = $4)';
  const source = page.source ?? null;
  if (page.afterId !== undefined) {
    // Newer page: walk upwards from the cursor, then present newest first.
    const { rows } = await db.query(`SELECT * FROM runs.run WHERE id > $1 AND ${where} ORDER BY id ASC LIMIT $2`, [
      page.afterId,
      page.limit,
      statuses,
      source,
    ]);
    return rows.map(mapRunRow).reverse();
  }
  const { rows } = await db.query(
    `SELECT * FROM runs.run WHERE ($1::bigint IS NULL OR id < $1) AND ${where} ORDER BY id DESC LIMIT $2`,
    [page.beforeId ?? null, page.limit, statuses, source],
  );
  return rows.map(mapRunRow);
}

/** Whether any run (of `source`, when given) is older (smaller id) or newer than the given ids. */
export async function runsAround(db: Queryable, oldestId: number, newestId: number, source?: RunSource) {
  const { rows } = await db.query<{ older: boolean; newer: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM runs.run WHERE id < $1 AND ($3::text IS NULL OR source = $3)) AS older,
            EXISTS (SELECT 1 FROM runs.run WHERE id > $2 AND ($3::text IS NULL OR source = $3)) AS newer`,
    [oldestId, newestId, source ?? null],
  );
  return rows[0]!;
}
