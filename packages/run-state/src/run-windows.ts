/**
 * What the guards over time (sync-config-guards.ts) compare a run with: the blocks applied by complete runs
 * in the rolling 24 hours and 7 days before `now`, and the median blocks of the last 10 complete feed runs
 * (undo runs excluded: they are not the feed's behaviour). Read through run_finished_idx (migration 009).
 * `now` is the caller's clock, so tests control the windows.
 */
import type { Queryable } from './run.repository.js';

/** How many complete runs the median looks back over, and how many it needs before it means anything. */
export const MEDIAN_RUNS = 10;
export const MEDIAN_MIN_RUNS = 3;

export interface RecentBlocks {
  /** Users blocked by runs completed in the 24 hours before now. */
  day: number;
  /** The same over 7 days. */
  week: number;
  /** Median blocks of the last {@link MEDIAN_RUNS} complete feed runs; null with fewer than {@link MEDIAN_MIN_RUNS}. */
  median: number | null;
}

export async function recentBlocks(db: Queryable, now: Date): Promise<RecentBlocks> {
  const { rows } = await db.query<{ day: string; week: string }>(
    `SELECT coalesce(sum(coalesce((counts ->> 'blocked')::bigint, 0)) FILTER (WHERE finished_at > $1::timestamptz - interval '24 hours'), 0) AS day,
            coalesce(sum(coalesce((counts ->> 'blocked')::bigint, 0)), 0) AS week
     FROM runs.run
     WHERE status = 'complete'
       AND finished_at > $1::timestamptz - interval '7 days' AND finished_at <= $1::timestamptz`,
    [now],
  );
  const median = await db.query<{ median: number | null; n: number }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY b) AS median, count(*)::int AS n
     FROM (SELECT coalesce((counts ->> 'blocked')::int, 0) AS b FROM runs.run
           WHERE status = 'complete' AND undo_of IS NULL
             AND finished_at <= $1::timestamptz
           ORDER BY finished_at DESC LIMIT $2) AS s`,
    [now, MEDIAN_RUNS],
  );
  const m = median.rows[0]!;
  return {
    day: Number(rows[0]!.day),
    week: Number(rows[0]!.week),
    median: m.n >= MEDIAN_MIN_RUNS && m.median !== null ? Number(m.median) : null,
  };
}
