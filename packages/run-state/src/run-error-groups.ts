/**
 * A run's errors grouped by message (issue 16): "150,000 × Invalid email address for EMAIL". The groups are
 * counted once, when the worker has written the run's log, and stored on the run; pages read them.
 */
import type { Queryable } from './run.repository.js';

export interface ErrorGroup {
  /** The message without what varies per record: record number, username, the offending value. */
  message: string;
  count: number;
  /** One user whose record has it (the first in username order), for a link to the user lookup. */
  username: string | null;
}

/** Groups stored per run (the largest first); the rest are counted in the run's error count. */
export const MAX_ERROR_GROUPS = 25;

// Haplo's error lines, reduced to their kind (control-file's messages: transformer.ts, conversion/*):
//   ERROR: <message> (record N, user X)                     → <message>
//   ERROR: Invalid email address for EMAIL: "x" …           → Invalid email address for EMAIL
//   ERROR: No username in record 12: {...}                  → No username in record
//   ERROR: Duplicate username: bob (ignoring record 7)      → Duplicate username
const MESSAGE_KEY = `regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    regexp_replace(text, '^ERROR: ', ''),
    ' \\(record [0-9]+, user [^)]*\\)$', ''),
    '^((Invalid [A-Za-z ]+|Value in input data cannot be mapped) for [^:]+): .*$', '\\1'),
    '^No username in record [0-9]+: .*$', 'No username in record'),
    '^Duplicate username: .*$', 'Duplicate username')`;

/** Counts the run's ERROR lines by message and stores the largest groups on the run. */
export async function storeErrorGroups(db: Queryable, runId: number): Promise<ErrorGroup[]> {
  const { rows } = await db.query<{ groups: ErrorGroup[] }>(
    `UPDATE runs.run SET error_groups = coalesce((
       SELECT jsonb_agg(jsonb_build_object('message', g.message, 'count', g.n, 'username', g.username)
                        ORDER BY g.n DESC, g.message)
       FROM (SELECT ${MESSAGE_KEY} AS message, count(*)::int AS n, min(username) AS username
             FROM runs.run_log WHERE run_id = $1 AND level = 'error'
             GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${MAX_ERROR_GROUPS}) AS g), '[]'::jsonb)
     WHERE id = $1 RETURNING error_groups AS groups`,
    [runId],
  );
  return rows[0]?.groups ?? [];
}

/** The stored groups of a run (empty before its log is written). */
export async function readErrorGroups(db: Queryable, runId: number): Promise<ErrorGroup[]> {
  const { rows } = await db.query<{ groups: ErrorGroup[] }>(
    'SELECT error_groups AS groups FROM runs.run WHERE id = $1',
    [runId],
  );
  return rows[0]?.groups ?? [];
}
