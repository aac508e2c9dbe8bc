/** runs.run_audit: who did what to which run (admin, API key or usersync itself). */
import type { Queryable, StoredActor } from '@usersync/run-state';

/** Audit actions written by ingest-gateway. */
export type AuditAction =
  | 'upload_file'
  | 'mark_ready'
  | 'start_sync'
  | 'hold'
  | 'queue'
  | 'apply'
  | 'apply_part'
  | 'reapply'
  | 'cancel'
  | 'force_cancel'
  | 'supersede'
  | 'update_config'
  | 'upload_control_file';

/** Appends one audit row inside the caller's transaction. */
export async function recordAudit(
  db: Queryable,
  entry: { runId: number | null; action: AuditAction; actor: StoredActor; detail?: Record<string, unknown> },
): Promise<void> {
  await db.query('INSERT INTO runs.run_audit (run_id, action, actor, detail) VALUES ($1, $2, $3, $4)', [
    entry.runId,
    entry.action,
    JSON.stringify(entry.actor),
    JSON.stringify(entry.detail ?? {}),
  ]);
}
