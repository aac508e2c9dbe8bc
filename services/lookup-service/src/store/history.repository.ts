/** A user's history rows (schema `directory`) and the run log lines about them (schema `runs`, read-only). */
import type pg from 'pg';

/** One history row. */
export interface HistoryRow {
  id: number;
  runId: number;
  action: 'create' | 'update' | 'reactivate' | 'block';
  changes: Array<{ field: string; before: unknown; after: unknown }>;
  at: Date;
}

/** A run whose log has problem lines about the user. */
export interface ErrorRunRow {
  runId: number;
  at: Date;
  lines: string[];
}

/** How many recent runs are searched for a user's error lines: one index probe per run on (run_id, username). */
export const ERROR_RUN_WINDOW = 50;
/** Most error runs returned. */
export const MAX_ERROR_RUNS = 20;

// Problem lines: ERROR/warning lines, and Haplo's info-level "Record has missing data … (ignoring)".
const PROBLEM = `(l.level <> 'info' OR l.text LIKE 'Record has missing data%')`;

/** Creates the repository over a pool. */
export function historyRepository(db: Pick<pg.Pool, 'query'>) {
  return {
    /** Newest first; `beforeId` pages back (keyset on history.id, stable while runs add rows). */
    async page(userId: number, limit: number, beforeId: number | null): Promise<HistoryRow[]> {
      const { rows } = await db.query<{
        id: string;
        run_id: string;
        action: HistoryRow['action'];
        changes: HistoryRow['changes'];
        at: Date;
      }>(
        // A create's history row holds no change list (NULL): it is the entry of the run's stored plan
        // (apply-worker migration 003), found by run and username.
        `SELECT h.id, h.run_id, h.action, h.at,
           coalesce(h.changes, (SELECT p.changes FROM runs.run_plan p JOIN directory."user" u ON u.username = p.username
                                WHERE p.run_id = h.run_id AND u.id = h.user_id), '[]'::json) AS changes
         FROM directory.history h
         WHERE h.user_id = $1 AND ($2::bigint IS NULL OR h.id < $2) ORDER BY h.id DESC LIMIT $3`,
        [userId, beforeId, limit],
      );
      return rows.map((r) => ({
        id: Number(r.id),
        runId: Number(r.run_id),
        action: r.action,
        changes: r.changes,
        at: r.at,
      }));
    },

    /** Recent runs with problem lines for `username`, newest first, each with its lines in log order. */
    async errorRuns(username: string): Promise<ErrorRunRow[]> {
      const { rows } = await db.query<{ run_id: string; at: Date; lines: string[] }>(
        `SELECT r.id AS run_id, coalesce(r.finished_at, r.updated_at) AS at, array_agg(l.text ORDER BY l.seq) AS lines
         FROM (SELECT id, finished_at, updated_at FROM runs.run ORDER BY id DESC LIMIT ${ERROR_RUN_WINDOW}) r
         JOIN runs.run_log l ON l.run_id = r.id AND l.username = $1 AND ${PROBLEM}
         GROUP BY r.id, r.finished_at, r.updated_at ORDER BY r.id DESC LIMIT ${MAX_ERROR_RUNS}`,
        [username],
      );
      return rows.map((r) => ({ runId: Number(r.run_id), at: r.at, lines: r.lines }));
    },

    /** Error lines per username in the latest applied (complete or failed) run. */
    async latestRunErrors(usernames: string[]): Promise<Map<string, { runId: number; count: number }>> {
      if (usernames.length === 0) return new Map();
      const { rows } = await db.query<{ username: string; run_id: string; n: number }>(
        `SELECT l.username, r.id AS run_id, count(*)::int AS n
         FROM (SELECT id FROM runs.run WHERE status IN ('complete', 'failure') ORDER BY id DESC LIMIT 1) r
         JOIN runs.run_log l ON l.run_id = r.id AND l.username = ANY($1::text[]) AND ${PROBLEM}
         GROUP BY l.username, r.id`,
        [usernames],
      );
      return new Map(rows.map((r) => [r.username, { runId: Number(r.run_id), count: r.n }]));
    },

    /** The stored sync configuration (for the profile schema), or undefined. */
    async syncConfig(): Promise<unknown> {
      const { rows } = await db.query<{ config: unknown }>('SELECT config FROM runs.sync_config WHERE id');
      return rows[0]?.config;
    },
  };
}

export type HistoryRepository = ReturnType<typeof historyRepository>;
