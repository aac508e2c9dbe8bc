/** Reads the run data a report quotes from schema `runs` (read-only: ingest-gateway owns it). */
import type { Queryable } from '@usersync/run-state';

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
export async function errorLines(
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

/** The log's size as a text file (UTF-8 bytes, one newline per line). */
export async function logSizeBytes(db: Queryable, runId: number): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'SELECT coalesce(sum(octet_length(text) + 1), 0)::bigint AS n FROM runs.run_log WHERE run_id = $1',
    [runId],
  );
  return Number(rows[0]?.n ?? 0);
}

/** The whole log as text; call only after {@link logSizeBytes} said it is small enough. */
export async function logText(db: Queryable, runId: number): Promise<string> {
  const { rows } = await db.query<{ text: string }>('SELECT text FROM runs.run_log WHERE run_id = $1 ORDER BY seq', [
    runId,
  ]);
  return rows.map((r) => `${r.text}\n`).join('');
}
