/**
 * The recycle timer's audit entries (issue 18 item 2): apply-worker anonymises or deletes users after the
 * grace period as usersync itself, and each step is recorded in runs.run_audit (no run), which the portal's
 * audit log merges with its own. Written in the caller's transaction, with the step.
 */
import type { Queryable } from './run.repository.js';

/** The audit actions of the recycle timer. */
export type RecycleAuditAction = 'recycle_anonymise' | 'recycle_delete';

/** Appends one recycle step's audit row (actor: usersync's recycle timer). */
export async function recordRecycleAudit(
  db: Queryable,
  action: RecycleAuditAction,
  detail: { users: number; graceDays: number; userIds: number[] },
): Promise<void> {
  await db.query('INSERT INTO runs.run_audit (run_id, action, actor, detail) VALUES (NULL, $1, $2, $3)', [
    action,
    JSON.stringify({ kind: 'system', id: 'recycle-timer', displayName: 'usersync recycle timer' }),
    JSON.stringify(detail),
  ]);
}
