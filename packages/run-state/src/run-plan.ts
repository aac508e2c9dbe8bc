/**
 * A run's stored plan (runs.run_plan): one row per user the run creates, updates, reactivates or
 * blocks, with field-level before/after. Written by the apply-worker inside its transaction when it
 * plans (held runs too), read by the portal's plan preview. Unchanged users are counted in the run's
 * plan_counts, not stored row by row (a million-user feed would otherwise write a million rows a day).
 */
import type { Queryable } from './run.repository.js';

/** What a run does to one user. */
export type PlanAction = 'create' | 'update' | 'reactivate' | 'block' | 'unchanged';

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
  await db.query('DELETE FROM runs.run_plan WHERE run_id = $1', [runId]);
  const result = await db.query(
    `INSERT INTO runs.run_plan (run_id, username, action, changes)
     SELECT $1, s.username, s.action, s.changes FROM (${source}) AS s`,
    [runId, ...params],
  );
  return result.rowCount ?? 0;
}

/** Filters and keyset paging for {@link readRunPlan}. */
export interface RunPlanQuery {
  action?: PlanAction;
  /** Usernames starting with this (case-insensitive). */
  usernamePrefix?: string;
  /** Rows after this username (keyset paging). */
  afterUsername?: string;
  /** Default 50, at most 1,000. */
  limit?: number;
}

/** A page of a run's plan in username order (within one action when filtered). */
export async function readRunPlan(db: Queryable, runId: number, q: RunPlanQuery = {}): Promise<RunPlanRow[]> {
  const where = ['run_id = $1'];
  const values: unknown[] = [runId];
  if (q.action !== undefined) {
    values.push(q.action);
    where.push(`action = $${values.length}`);
  }
  if (q.usernamePrefix) {
    values.push(q.usernamePrefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`) + '%');
    where.push(`username LIKE $${values.length}`);
  }
  if (q.afterUsername !== undefined) {
    values.push(q.afterUsername);
    where.push(`username > $${values.length}`);
  }
  values.push(Math.min(Math.max(q.limit ?? 50, 1), 1_000));
  const { rows } = await db.query<RunPlanRow>(
    `SELECT username, action, changes FROM runs.run_plan WHERE ${where.join(' AND ')}
     ORDER BY username LIMIT $${values.length}`,
    values,
  );
  return rows;
}

/** Stored plan rows by action (unchanged users are in the run's plan_counts instead). */
export async function countRunPlan(db: Queryable, runId: number): Promise<Partial<Record<PlanAction, number>>> {
  const { rows } = await db.query<{ action: PlanAction; n: number }>(
    'SELECT action, count(*)::int AS n FROM runs.run_plan WHERE run_id = $1 GROUP BY action',
    [runId],
  );
  return Object.fromEntries(rows.map((r) => [r.action, r.n]));
}
