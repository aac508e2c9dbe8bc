/**
 * The runs schema as a user lookup reads it (lookup-service): the stored plan entry of a user's create,
 * and the problem lines runs logged about a username. lookup-service joins these with its own
 * reads of `directory`; the runs side stays here, with its owner.
 */
import type { PlanFieldChange } from './run-plan.js';
import type { Queryable } from './run.repository.js';

/** A run whose log has problem lines about the user. */
export interface UserErrorRun {
  runId: number;
  at: Date;
  lines: string[];
}

// Problem lines: ERROR/warning lines, and Haplo's info-level "Record has missing data … (ignoring)".
const PROBLEM = `(l.level <> 'info' OR l.text LIKE 'Record has missing data%')`;

/** The stored plan's change lists of (run, username) pairs, keyed `${runId}/${username}`; absent when none. */
export async function planChangesOf(
  db: Queryable,
  keys: ReadonlyArray<{ runId: number; username: string }>,
): Promise<Map<string, PlanFieldChange[]>> {
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<{ run_id: string; username: string; changes: PlanFieldChange[] }>(
    `SELECT p.run_id, p.username, p.changes FROM runs.run_plan p
     JOIN unnest($1::bigint[], $2::text[]) AS k(run_id, username) ON p.run_id = k.run_id AND p.username = k.username`,
    [keys.map((k) => k.runId), keys.map((k) => k.username)],
  );
  return new Map(rows.map((r) => [`${Number(r.run_id)}/${r.username}`, r.changes]));
}

/**
 * Recent runs (the last `window` by id) with problem lines for `username`, newest first, at most
 * `max`, each with its lines in log order: one index probe per run on (run_id, lower(username), seq).
 */
export async function userErrorRuns(
  db: Queryable,
  username: string,
  opts: { window: number; max: number },
): Promise<UserErrorRun[]> {
  const { rows } = await db.query<{ run_id: string; at: Date; lines: string[] }>(
    `SELECT r.id AS run_id, coalesce(r.finished_at, r.updated_at) AS at, array_agg(l.text ORDER BY l.seq) AS lines
     FROM (SELECT id, finished_at, updated_at FROM runs.run ORDER BY id DESC LIMIT $2) r
     JOIN runs.run_log l ON l.run_id = r.id AND l.username IS NOT NULL AND lower(l.username) = lower($1)
       AND ${PROBLEM}
     GROUP BY r.id, r.finished_at, r.updated_at ORDER BY r.id DESC LIMIT $3`,
    [username, opts.window, opts.max],
  );
  return rows.map((r) => ({ runId: Number(r.run_id), at: r.at, lines: r.lines }));
}

/** Problem-line counts per username in the latest applied (complete or failed) run. */
export async function latestRunErrorCounts(
  db: Queryable,
  usernames: readonly string[],
): Promise<Map<string, { runId: number; count: number }>> {
  if (usernames.length === 0) return new Map();
  const { rows } = await db.query<{ username: string; run_id: string; n: number }>(
    `SELECT l.username, r.id AS run_id, count(*)::int AS n
     FROM (SELECT id FROM runs.run WHERE status IN ('complete', 'failure') ORDER BY id DESC LIMIT 1) r
     JOIN runs.run_log l ON l.run_id = r.id AND l.username IS NOT NULL
       AND lower(l.username) = ANY($1::text[]) AND ${PROBLEM}
     GROUP BY l.username, r.id`,
    [usernames.map((u) => u.toLowerCase())],
  );
  return new Map(rows.map((r) => [r.username, { runId: Number(r.run_id), count: r.n }]));
}
