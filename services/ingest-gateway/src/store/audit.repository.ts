/** runs.run_audit: who did what to which run (admin, API key or usersync itself); written here, listed for the portal. */
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
  | 'undo'
  | 'cancel'
  | 'force_cancel'
  | 'supersede'
  | 'update_config'
  | 'upload_control_file'
  | 'scim_batch';

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

/** One run_audit row as read. */
export interface RunAuditRow {
  id: number;
  at: Date;
  actor: StoredActor;
  action: string;
  runId: number | null;
  detail: Record<string, unknown>;
}

/** Filters and position of a page of run_audit (see ListRunAuditRequest). */
export interface RunAuditQuery {
  limit: number;
  before?: { at: Date; id: number };
  actorKinds?: readonly string[];
  actions?: readonly string[];
  actorId?: string;
}

/**
 * Entries newest first. Positions compare at millisecond precision, the precision the portal's
 * cursor (a protobuf Timestamp through JavaScript) keeps, so paging never skips or repeats a row.
 */
export async function listRunAudit(db: Queryable, q: RunAuditQuery): Promise<RunAuditRow[]> {
  const { rows } = await db.query<{
    id: string;
    at: Date;
    actor: StoredActor;
    action: string;
    run_id: string | null;
    detail: Record<string, unknown>;
  }>(
    `SELECT id, at, actor, action, run_id, detail FROM runs.run_audit
     WHERE ($1::timestamptz IS NULL OR (date_trunc('milliseconds', at), id) < ($1::timestamptz, $2::bigint))
       AND (cardinality($3::text[]) = 0 OR actor->>'kind' = ANY($3::text[]))
       AND (cardinality($4::text[]) = 0 OR action = ANY($4::text[]))
       AND ($5::text = '' OR actor->>'id' = $5::text)
     ORDER BY date_trunc('milliseconds', at) DESC, id DESC
     LIMIT $6`,
    [q.before?.at ?? null, q.before?.id ?? 0, q.actorKinds ?? [], q.actions ?? [], q.actorId ?? '', q.limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    action: r.action,
    runId: r.run_id === null ? null : Number(r.run_id),
    detail: r.detail,
  }));
}
