/**
 * A run's stored plan (runs.run_plan): one row per user the run creates, updates, reactivates or
 * blocks, with field-level before/after. Written by the apply-worker inside its transaction when it
 * plans (held runs too), read by the portal's plan preview. Unchanged users are counted in the run's
 * plan_counts, not stored row by row (a million-user feed would otherwise write a million rows a day).
 */
import type { Queryable } from './run.repository.js';

/** What a run does to one user; `delete` only in an undo run's plan (a user the undone run created goes). */
export type PlanAction = 'create' | 'update' | 'reactivate' | 'block' | 'unchanged' | 'delete';

/** One field's change; values are JSON (null when absent). */
export interface PlanFieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** One stored plan row. */
export interface RunPlanRow {
  username: string;
  action: PlanAction;
  changes: PlanFieldChange[];
  /** Blocks only: the user's name, email and the last run that named them, as the directory had them. */
  displayName?: string | null;
  email?: string | null;
  lastSeenRun?: number | null;
}

/**
 * Replaces the plan of `runId` with the rows of a caller's query in one set-based statement.
 * `source` is SQL written in code, never text from input: it must yield columns `username`,
 * `action`, `changes` (jsonb); `params` bind from $2 on. Returns the number of rows stored.
 */
export async function replaceRunPlanFrom(
  db: Queryable,
  runId: number,
  source: string,
  params: readonly unknown[] = [],
): Promise<number> {
  await clearRunPlan(db, runId);
  const result = await db.query(
    `INSERT INTO runs.run_plan (run_id, username, action, changes)
     SELECT $1, s.username, s.action, s.changes FROM (${source}) AS s`,
    [runId, ...params],
  );
  return result.rowCount ?? 0;
}

/**
 * Adds who a stored plan's blocks take away: `source` (SQL written in code; `params` from $2) yields
 * `username`, `display_name`, `email`, `last_seen_run` for the blocked users, read from the directory by
 * its owner. The review page and the report list them by name.
 */
export async function describePlannedBlocks(
  db: Queryable,
  runId: number,
  source: string,
  params: readonly unknown[] = [],
): Promise<void> {
  await db.query(
    `UPDATE runs.run_plan p SET display_name = s.display_name, email = s.email, last_seen_run = s.last_seen_run
     FROM (${source}) AS s WHERE p.run_id = $1 AND p.username = s.username AND p.action = 'block'`,
    [runId, ...params],
  );
}

/** Removes a run's stored plan (a held run that is applied later stores it again). */
export async function clearRunPlan(db: Queryable, runId: number): Promise<void> {
  await db.query('DELETE FROM runs.run_plan WHERE run_id = $1', [runId]);
}
