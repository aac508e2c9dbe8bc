/**
 * The runs schema's figures for the business gauges on `/metrics` (platform registerRunGauges), read at
 * scrape time so they are right after any restart and on whichever replica Prometheus scrapes. One
 * statement; the open-status and held-age parts use run_status_idx, the finished counts scan the run
 * table (one row per run: thousands, not millions, in the lifetime of an installation).
 */
import type { Queryable } from '@usersync/run-state';
import type { RunGaugeValues } from '@usersync/platform';

interface Row {
  last_apply: string | null;
  complete: number;
  complete_with_errors: number;
  failed: number;
  cancelled: number;
  uploading: number;
  ready: number;
  held: number;
  running: number;
  held_oldest_age: string | null;
}

/** The gauges' values now. A held run has waited since it was ready (all files in), else since created. */
export async function readRunGauges(db: Queryable): Promise<RunGaugeValues> {
  const { rows } = await db.query<Row>(
    `SELECT
       extract(epoch FROM max(finished_at) FILTER (WHERE status = 'complete'))::text AS last_apply,
       count(*) FILTER (WHERE status = 'complete' AND error_count = 0)::int AS complete,
       count(*) FILTER (WHERE status = 'complete' AND error_count > 0)::int AS complete_with_errors,
       count(*) FILTER (WHERE status = 'failure')::int AS failed,
       count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
       count(*) FILTER (WHERE status = 'uploading')::int AS uploading,
       count(*) FILTER (WHERE status = 'ready')::int AS ready,
       count(*) FILTER (WHERE status = 'held')::int AS held,
       count(*) FILTER (WHERE status = 'running')::int AS running,
       extract(epoch FROM now() - min(COALESCE(ready_at, created_at)) FILTER (WHERE status = 'held'))::text
         AS held_oldest_age
     FROM runs.run`,
  );
  const r = rows[0]!;
  return {
    lastSuccessfulApply: r.last_apply === null ? null : Number(r.last_apply),
    finishedByOutcome: {
      complete: r.complete,
      complete_with_errors: r.complete_with_errors,
      failed: r.failed,
      cancelled: r.cancelled,
    },
    openByStatus: { uploading: r.uploading, ready: r.ready, held: r.held, running: r.running },
    heldOldestAgeSeconds: r.held_oldest_age === null ? 0 : Math.max(0, Number(r.held_oldest_age)),
  };
}
