/**
 * The read model of a run's report (what notify-worker quotes): the run, the previous applied run's
 * error count, the first ERROR lines, and the log as a text file. Typed reads, so the report's owner
 * (notify-worker) names no `runs.` table.
 */
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
