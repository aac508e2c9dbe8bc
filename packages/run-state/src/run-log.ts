/**
 * A run's log as rows of runs.run_log (run, seq, level, username, text): written in bulk by the
 * apply-worker inside its transaction, read page by page by the portal. Haplo kept one text column;
 * rows let a million-line log be filtered by username or level through the table's indexes.
 */
import type pg from 'pg';
import { copyBatch, type CopyStatement } from '@usersync/platform';
import type { Queryable } from './run.repository.js';

/** Severity of a log line: ERROR/EXCEPTION lines are 'error'. */
export type RunLogLevel = 'info' | 'warning' | 'error';

/** One log line to write. */
export interface RunLogLine {
  level: RunLogLevel;
  /** The user the line is about, for the username filter; null for run-level lines. */
  username: string | null;
  text: string;
}

/** One stored log line. */
export interface RunLogRow extends RunLogLine {
  seq: number;
  at: Date;
}

const BATCH = 20_000;

/** The seq the next appended line of `runId` gets (0 for an empty log). */
export async function nextRunLogSeq(db: Queryable, runId: number): Promise<number> {
  const { rows } = await db.query<{ next: number }>(
    'SELECT coalesce(max(seq) + 1, 0)::int AS next FROM runs.run_log WHERE run_id = $1',
    [runId],
  );
  return rows[0]?.next ?? 0;
}

/** Appends lines in order, numbered from `startSeq`, in a few multi-row statements; returns the next seq. */
export async function appendRunLog(
  db: Queryable,
  runId: number,
  lines: readonly RunLogLine[],
  startSeq: number,
): Promise<number> {
  for (let i = 0; i < lines.length; i += BATCH) {
    const chunk = lines.slice(i, i + BATCH);
    await db.query(
      `INSERT INTO runs.run_log (run_id, seq, level, username, text)
       SELECT $1, $2 + ord - 1, level, username, text
       FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS l(level, username, text, ord)`,
      [runId, startSeq + i, chunk.map((l) => l.level), chunk.map((l) => l.username), chunk.map((l) => l.text)],
    );
  }
  return startSeq + lines.length;
}

/**
 * Appends the rows of a caller's query, numbered from `startSeq` in the query's `ord` order, in one
 * set-based statement (the apply-worker builds million-line logs from its temp tables this way).
 * `source` is SQL written in code, never text from input: it must yield columns
 * `ord` (sortable), `level`, `username`, `text`; `params` bind from $3 on. Returns the next seq.
 */
export async function appendRunLogFrom(
  db: Queryable,
  runId: number,
  startSeq: number,
  source: string,
  params: readonly unknown[] = [],
): Promise<number> {
  const result = await db.query(
    `INSERT INTO runs.run_log (run_id, seq, level, username, text)
     SELECT $1, $2 + (row_number() OVER (ORDER BY s.ord))::int - 1, s.level, s.username, s.text
     FROM (${source}) AS s`,
    [runId, startSeq, ...params],
  );
  return startSeq + (result.rowCount ?? 0);
}

/** The columns of {@link copyRunLogRows}' COPY text rows, in order. */
export const RUN_LOG_COPY_COLUMNS = ['run_id', 'seq', 'level', 'username', 'text'] as const;

/**
 * The COPY of log rows: `buffers` hold COPY text rows (tab-separated, `\n`-terminated, values escaped as
 * COPY reads them) of {@link RUN_LOG_COPY_COLUMNS}, numbered by the writer. For a writer that encodes
 * lines as its records come (a first import writes a million `create` lines while it transforms) and
 * sends them with its other COPYs in one round trip (platform's copyBatch).
 */
export function runLogCopy(buffers: readonly Buffer[]): CopyStatement {
  return { sql: `COPY runs.run_log (${RUN_LOG_COPY_COLUMNS.join(', ')}) FROM STDIN`, data: buffers };
}

/** Appends log rows by COPY ({@link runLogCopy}); nothing is sent when there are no buffers. */
export async function copyRunLogRows(client: pg.ClientBase, buffers: readonly Buffer[]): Promise<void> {
  await copyBatch(client, [runLogCopy(buffers)]);
}

/** Removes a run's log (a held run that is applied later gets a fresh log). */
export async function clearRunLog(db: Queryable, runId: number): Promise<void> {
  await db.query('DELETE FROM runs.run_log WHERE run_id = $1', [runId]);
}
