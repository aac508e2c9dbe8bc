/**
 * What notify-worker's silence and mismatch alarms read of the runs schema (issue 18): when the last file
 * arrived and the last run succeeded, and complete runs whose applied counts differ from their stored plan
 * (the rows an apply wrote per action). "Reported 35, applied 0" is such a run.
 */
import type { Queryable } from './run.repository.js';

export interface LastActivity {
  /** The newest file upload; null when nothing was ever uploaded. */
  lastUploadAt: Date | null;
  /** When the newest complete run finished; null when none ever did. */
  lastSuccessAt: Date | null;
}

export async function lastActivity(db: Queryable): Promise<LastActivity> {
  const { rows } = await db.query<{ u: Date | null; s: Date | null }>(
    `SELECT (SELECT max(uploaded_at) FROM runs.run_file) AS u,
            (SELECT max(finished_at) FROM runs.run WHERE status = 'complete') AS s`,
  );
  return { lastUploadAt: rows[0]?.u ?? null, lastSuccessAt: rows[0]?.s ?? null };
}

/** A complete run whose counts and stored plan disagree, per action. */
export interface CountMismatch {
  runId: number;
  /** `created: reported 35, in the plan 0`, for each action that differs. */
  differences: string[];
}

const ACTIONS: Array<[string, string]> = [
  ['created', 'create'],
  ['updated', 'update'],
  ['reactivated', 'reactivate'],
  ['blocked', 'block'],
  ['deleted', 'delete'],
];

/** Complete runs finished after `since` whose counts differ from their stored plan's rows. */
export async function countMismatchesSince(db: Queryable, since: Date): Promise<CountMismatch[]> {
  const { rows } = await db.query<{ id: string; counts: Record<string, number>; planned: Record<string, number> }>(
    `SELECT r.id, r.counts,
       coalesce((SELECT jsonb_object_agg(p.action, p.n) FROM (SELECT action, count(*)::int AS n FROM runs.run_plan
                 WHERE run_id = r.id GROUP BY action) AS p), '{}'::jsonb) AS planned
     FROM runs.run r WHERE r.status = 'complete' AND r.finished_at > $1 ORDER BY r.id`,
    [since],
  );
  const out: CountMismatch[] = [];
  for (const r of rows) {
    const differences = ACTIONS.flatMap(([count, action]) => {
      const reported = Number(r.counts[count] ?? 0);
      const planned = Number(r.planned[action] ?? 0);
      return reported === planned ? [] : [`${count}: reported ${reported}, in the applied plan ${planned}`];
    });
    if (differences.length) out.push({ runId: Number(r.id), differences });
  }
  return out;
}
