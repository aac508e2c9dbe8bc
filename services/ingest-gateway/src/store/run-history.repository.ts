/**
 * The dashboard's reads over many runs: finished runs per calendar day by outcome (the run history
 * chart) and what waits for an admin (held runs, failures since the last success, freshness).
 * Set-based SQL: one statement per answer whatever the number of runs, each on an index
 * (run_finished_idx from migration 009, run_status_idx, run_complete_idx, run_file's primary key).
 */
import { mapRunRow, shownHold, type HoldReason, type Queryable } from '@usersync/run-state';

/** One calendar day of finished runs. */
export interface RunHistoryDayRow {
  /** YYYY-MM-DD in the requested zone. */
  day: string;
  complete: number;
  completeWithErrors: number;
  failed: number;
  cancelled: number;
  /** Median and longest seconds from start of apply to finish (applied runs only); 0 when none. */
  p50Seconds: number;
  maxSeconds: number;
}

/** $1 the IANA zone, $2 the number of days; exported so a test can EXPLAIN exactly what runs. */
export const RUN_HISTORY_SQL = `WITH bounds AS (
       SELECT (now() AT TIME ZONE $1)::date - ($2::int - 1) AS first_day, (now() AT TIME ZONE $1)::date AS last_day
     ),
     calendar AS (
       SELECT d::date AS day FROM bounds, generate_series(first_day, last_day, interval '1 day') AS d
     ),
     finished AS (
       SELECT (r.finished_at AT TIME ZONE $1)::date AS day, r.status, r.error_count,
              CASE WHEN r.status IN ('complete', 'failure') AND r.started_at IS NOT NULL
                   THEN greatest(0, extract(epoch FROM r.finished_at - r.started_at))::float8 END AS secs
       FROM runs.run r, bounds b
       WHERE r.status IN ('complete', 'failure', 'cancelled')
         AND r.finished_at >= (b.first_day::timestamp AT TIME ZONE $1)
     )
     SELECT to_char(c.day, 'YYYY-MM-DD') AS day,
            count(f.status) FILTER (WHERE f.status = 'complete' AND f.error_count = 0) AS complete,
            count(f.status) FILTER (WHERE f.status = 'complete' AND f.error_count > 0) AS complete_with_errors,
            count(f.status) FILTER (WHERE f.status = 'failure') AS failed,
            count(f.status) FILTER (WHERE f.status = 'cancelled') AS cancelled,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY f.secs) AS p50,
            max(f.secs) AS max
     FROM calendar c LEFT JOIN finished f ON f.day = c.day
     GROUP BY c.day ORDER BY c.day`;

/**
 * Every day of the last `days` days (today included) in `timeZone`, oldest first, zero days too.
 * The window's start is computed once as a timestamptz so the range predicate can use the index;
 * grouping by the zone's calendar day happens after that narrow scan.
 */
export async function readRunHistory(db: Queryable, days: number, timeZone: string): Promise<RunHistoryDayRow[]> {
  const { rows } = await db.query<{
    day: string;
    complete: string;
    complete_with_errors: string;
    failed: string;
    cancelled: string;
    p50: number | null;
    max: number | null;
  }>(RUN_HISTORY_SQL, [timeZone, days]);
  return rows.map((r) => ({
    day: r.day,
    complete: Number(r.complete),
    completeWithErrors: Number(r.complete_with_errors),
    failed: Number(r.failed),
    cancelled: Number(r.cancelled),
    p50Seconds: r.p50 ?? 0,
    maxSeconds: r.max ?? 0,
  }));
}

/** A held or failed run, as the dashboard lists it. */
export interface AttentionRunRow {
  id: number;
  createdAt: Date;
  finishedAt: Date | null;
  holdReason: HoldReason | null;
  /** The hold detail or the failure message. */
  detail: string;
}

export interface RunAttentionRow {
  held: AttentionRunRow[];
  failures: AttentionRunRow[];
  failureCount: number;
  lastSuccessAt: Date | null;
  lastUploadAt: Date | null;
}

/** How many held runs and recent failures are listed (the counts are exact). */
const HELD_LIMIT = 20;
const FAILURE_LIMIT = 10;

/** Held runs (oldest first), failures since the last complete run, and when data last arrived. */
export async function readRunAttention(db: Queryable): Promise<RunAttentionRow> {
  const held = await db.query(`SELECT * FROM runs.run WHERE status = 'held' ORDER BY id LIMIT ${HELD_LIMIT}`);
  const last = await db.query<{ at: Date | null }>(
    `SELECT max(finished_at) AS at FROM runs.run WHERE status = 'complete'`,
  );
  const lastSuccessAt = last.rows[0]?.at ?? null;
  const failures = await db.query<{
    id: string;
    created_at: Date;
    finished_at: Date;
    failure_message: string | null;
    total: string;
  }>(
    `SELECT id, created_at, finished_at, failure_message, count(*) OVER () AS total
     FROM runs.run
     WHERE status = 'failure' AND finished_at > coalesce($1::timestamptz, '-infinity')
     ORDER BY finished_at DESC, id DESC LIMIT ${FAILURE_LIMIT}`,
    [lastSuccessAt],
  );
  // The newest run that received a real upload; a run's inherited `_control` (replaceable) and a
  // re-apply's copied files are not uploads, so a feed that stopped shows as stale.
  const upload = await db.query<{ at: Date | null }>(
    `SELECT max(f.uploaded_at) AS at FROM runs.run_file f
     WHERE f.run_id = (SELECT max(x.run_id) FROM runs.run_file x JOIN runs.run r ON r.id = x.run_id
                       WHERE NOT x.replaceable AND r.reapplied_from IS NULL)
       AND NOT f.replaceable`,
  );
  return {
    held: held.rows.map((row) => {
      const run = mapRunRow(row);
      const hold = shownHold(run);
      return {
        id: run.id,
        createdAt: run.createdAt,
        finishedAt: null,
        holdReason: hold?.reason ?? null,
        detail: hold?.detail ?? '',
      };
    }),
    failures: failures.rows.map((r) => ({
      id: Number(r.id),
      createdAt: r.created_at,
      finishedAt: r.finished_at,
      holdReason: null,
      detail: r.failure_message ?? '',
    })),
    failureCount: Number(failures.rows[0]?.total ?? 0),
    lastSuccessAt,
    lastUploadAt: upload.rows[0]?.at ?? null,
  };
}
