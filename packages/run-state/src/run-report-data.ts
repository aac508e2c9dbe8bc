/**
 * The read model of a run's report (what notify-worker quotes): the run, the previous applied run's
 * error count, the first ERROR lines, and the log as a text file. Typed reads, so the report's owner
 * (notify-worker) names no `runs.` table.
 */
import type { HoldReason } from './hold-reasons.js';
import { getRun, type Queryable, type RunRow } from './run.repository.js';

/** Everything a report states about a run besides the event's own facts. */
export interface RunReportData {
  run: RunRow;
  /** Error count of the last finished (complete or failure) run before this one; null when none. */
  previousErrors: number | null;
  /** The first ERROR lines of the log, in log order. */
  errorLines: string[];
  /** How many ERROR lines the log has. */
  errorLineTotal: number;
}

/** The error count of the last finished (complete or failure) run before `runId`; null when there is none. */
export async function previousErrorCount(db: Queryable, runId: number): Promise<number | null> {
  // Cancelled runs never applied, so their 0 would make every delta after a cancel meaningless.
  const { rows } = await db.query<{ error_count: number }>(
    `SELECT error_count FROM runs.run WHERE id < $1 AND status IN ('complete', 'failure')
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [runId],
  );
  return rows[0] ? Number(rows[0].error_count) : null;
}

/** The first `limit` ERROR lines of a run's log, and how many there are. */
export async function runErrorLines(
  db: Queryable,
  runId: number,
  limit: number,
): Promise<{ lines: string[]; total: number }> {
  const { rows } = await db.query<{ text: string }>(
    `SELECT text FROM runs.run_log WHERE run_id = $1 AND level = 'error' ORDER BY seq LIMIT $2`,
    [runId, limit],
  );
  const count = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM runs.run_log WHERE run_id = $1 AND level = 'error'`,
    [runId],
  );
  return { lines: rows.map((r) => r.text), total: count.rows[0]?.n ?? 0 };
}

/** Loads a run's report data; NotFoundError when the run does not exist. */
export async function loadRunReportData(db: Queryable, runId: number, errorLineLimit: number): Promise<RunReportData> {
  const [run, previousErrors, errors] = await Promise.all([
    getRun(db, runId),
    previousErrorCount(db, runId),
    runErrorLines(db, runId, errorLineLimit),
  ]);
  return { run, previousErrors, errorLines: errors.lines, errorLineTotal: errors.total };
}

/** The log's size as a text file (UTF-8 bytes, one newline per line). */
export async function runLogSizeBytes(db: Queryable, runId: number): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'SELECT coalesce(sum(octet_length(text) + 1), 0)::bigint AS n FROM runs.run_log WHERE run_id = $1',
    [runId],
  );
  return Number(rows[0]?.n ?? 0);
}

/** The whole log as text; call only after {@link runLogSizeBytes} said it is small enough. */
export async function runLogText(db: Queryable, runId: number): Promise<string> {
  const { rows } = await db.query<{ text: string }>('SELECT text FROM runs.run_log WHERE run_id = $1 ORDER BY seq', [
    runId,
  ]);
  return rows.map((r) => `${r.text}\n`).join('');
}

/** A user a run blocks (or would block), as its stored plan names them. */
export interface PlannedBlock {
  username: string;
  /** The directory's name for the user when the plan was made; null when it had none. */
  displayName: string | null;
}

/**
 * The first `limit` users a run's stored plan blocks (runs.run_plan, action 'block'), by username, and how
 * many it blocks in all. A held run's plan is what it would do; a complete run's plan is what it did (a
 * partial approval keeps back the rows outside its scope before the plan is stored). A run without a
 * stored plan (a direct import) has none.
 */
export async function plannedBlocks(
  db: Queryable,
  runId: number,
  limit: number,
): Promise<{ users: PlannedBlock[]; total: number }> {
  const [page, count] = await Promise.all([
    db.query<{ username: string; display_name: string | null }>(
      `SELECT username, display_name FROM runs.run_plan WHERE run_id = $1 AND action = 'block'
       ORDER BY username LIMIT $2`,
      [runId, limit],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs.run_plan WHERE run_id = $1 AND action = 'block'`, [
      runId,
    ]),
  ]);
  return {
    users: page.rows.map((r) => ({ username: r.username, displayName: r.display_name })),
    total: count.rows[0]?.n ?? 0,
  };
}

/** A run waiting for an admin, and for how long. */
export interface HeldRunAge {
  runId: number;
  holdReason: HoldReason | null;
  holdDetail: string | null;
  /** When it became held (see {@link heldRunsOlderThan}). */
  heldSince: Date;
  /** now() − heldSince, by the database's clock (replicas may disagree on theirs). */
  heldForMs: number;
}

/**
 * The runs held for at least `hours` (fractions allowed), oldest first (at most one: one run is open at a
 * time). "Held since" is the run's `updated_at`: every way into `held` stamps it (transitionRun's `hold`
 * from start-sync or from the worker, and the INSERT of a partial approval's follow-up run), and nothing
 * else writes a held run's row but the error groups, which leave it alone. A run start-sync held is held
 * again by the worker once its plan is stored, so its clock starts when the admin was told, with the
 * plan, by sync.run.held. Not `ready_at` (when the files were complete, hours before start-sync maybe),
 * and not run_audit's 'hold' rows: only start-sync writes them; the worker's holds and follow-up runs
 * have none.
 */
export async function heldRunsOlderThan(db: Queryable, hours: number): Promise<HeldRunAge[]> {
  const { rows } = await db.query<{
    id: string;
    hold_reason: HoldReason | null;
    hold_detail: string | null;
    updated_at: Date;
    held_for_ms: string;
  }>(
    `SELECT id, hold_reason, hold_detail, updated_at,
            floor(extract(epoch FROM now() - updated_at) * 1000)::bigint AS held_for_ms
     FROM runs.run WHERE status = 'held' AND updated_at <= now() - make_interval(secs => $1::float8 * 3600)
     ORDER BY updated_at, id`,
    [hours],
  );
  return rows.map((r) => ({
    runId: Number(r.id),
    holdReason: r.hold_reason,
    holdDetail: r.hold_detail,
    heldSince: r.updated_at,
    heldForMs: Number(r.held_for_ms),
  }));
}
