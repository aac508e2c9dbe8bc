import type { ClientBase, Pool } from 'pg';
import { ConflictError, NotFoundError, type Actor } from '@usersync/platform';
import type { ApprovalScope } from './approval-scope.js';
import type { HoldReason } from './hold-reasons.js';
import type { ErrorGroup } from './run-error-groups.js';
import type { RunStatus } from './statuses.js';
import type { UndoSkipped } from './run-undo.js';
import { TRANSITIONS, type RunTransition } from './transitions.js';

/** Anything that runs a query: a pool, or a client inside a transaction. */
export type Queryable = Pick<Pool | ClientBase, 'query'>;

/** An actor as stored in the runs schema (jsonb): platform's one Actor type, under its former name. */
export type StoredActor = Actor;

/**
 * Which source a run carries (issue 19): `file`, the uploaded data files, or `scim`, the SCIM source's state.
 * Each directory user belongs to one source, and a run plans only its own source's users.
 */
export type RunSource = 'file' | 'scim';
export const RUN_SOURCES: readonly RunSource[] = ['file', 'scim'];

/** A managed group a run's source declares beside the configured ones (the SCIM groups of a SCIM run). */
export interface SourceGroup {
  code: string;
  name: string;
}

export interface ActionCountsRow {
  created?: number;
  updated?: number;
  reactivated?: number;
  blocked?: number;
  unchanged?: number;
  errors?: number;
}

/** Counts with every action present (missing ones are 0): the shape of the ActionCounts proto too. */
export function fullCounts(c: Partial<ActionCountsRow> | undefined): Required<ActionCountsRow> {
  return {
    created: c?.created ?? 0,
    updated: c?.updated ?? 0,
    reactivated: c?.reactivated ?? 0,
    blocked: c?.blocked ?? 0,
    unchanged: c?.unchanged ?? 0,
    errors: c?.errors ?? 0,
  };
}

export interface RunRow {
  id: number;
  status: RunStatus;
  source: RunSource;
  /** Managed groups the source declares for this run (SCIM groups); empty for file runs. */
  sourceGroups: SourceGroup[];
  createdAt: Date;
  readyAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  expectedFiles: string[];
  holdReason: HoldReason | null;
  holdDetail: string | null;
  approvedBy: StoredActor | null;
  approvedAt: Date | null;
  queuedBy: StoredActor | null;
  cancelRequested: boolean;
  cancelledBy: StoredActor | null;
  cancelReason: string | null;
  reappliedFrom: number | null;
  comment: string | null;
  errorCount: number;
  failureMessage: string | null;
  counts: ActionCountsRow;
  planCounts: ActionCountsRow;
  /** Digest of the stored plan: what an admin's approval must match; null before the run is planned. */
  planDigest: string | null;
  /** A plan is stored (planDigest is set). */
  hasPlan: boolean;
  /** The part of the plan an admin approved, when it was a part (approval-scope.ts). */
  approvedScope: ApprovalScope | null;
  /** The run this one holds the rest of, after a partial approval. */
  remainderOf: number | null;
  /** ERROR lines grouped by message, counted when the log was written (run-error-groups.ts). */
  errorGroups: ErrorGroup[];
  /** The run this compensating run undoes (run-undo.ts); null for every other run. */
  undoOf: number | null;
  /** Users changed again by a later run that the admin asked the undo to restore all the same. */
  undoInclude: string[];
  /** Users the undo leaves alone because a later run changed them again; null until the undo is planned. */
  undoSkipped: UndoSkipped | null;
}

/** Columns a transition may set, by field name: a whitelist, so no caller text reaches SQL. */
const SETTABLE = {
  holdReason: 'hold_reason',
  holdDetail: 'hold_detail',
  approvedBy: 'approved_by',
  approvedScope: 'approved_scope',
  queuedBy: 'queued_by',
  cancelledBy: 'cancelled_by',
  cancelReason: 'cancel_reason',
  errorCount: 'error_count',
  failureMessage: 'failure_message',
  counts: 'counts',
  planCounts: 'plan_counts',
  planDigest: 'plan_digest',
} as const;
export type TransitionFields = Partial<{
  holdReason: HoldReason | null;
  holdDetail: string | null;
  approvedBy: StoredActor | null;
  approvedScope: ApprovalScope | null;
  queuedBy: StoredActor | null;
  cancelledBy: StoredActor | null;
  cancelReason: string | null;
  errorCount: number;
  failureMessage: string | null;
  counts: ActionCountsRow;
  planCounts: ActionCountsRow;
  planDigest: string | null;
}>;

/** Timestamps each transition stamps. */
const STAMPS: Record<RunTransition, string[]> = {
  markReady: ['ready_at = now()'],
  hold: [],
  queue: ['started_at = now()', 'cancel_requested = false'],
  complete: ['finished_at = now()'],
  fail: ['finished_at = now()'],
  cancel: ['finished_at = now()'],
  forceCancel: ['finished_at = now()', 'cancel_requested = true'],
};

export function mapRunRow(r: Record<string, unknown>): RunRow {
  return {
    id: Number(r.id),
    status: r.status as RunStatus,
    source: (r.source as RunSource | undefined) ?? 'file',
    sourceGroups: (r.source_groups as SourceGroup[] | undefined) ?? [],
    createdAt: r.created_at as Date,
    readyAt: (r.ready_at as Date) ?? null,
    startedAt: (r.started_at as Date) ?? null,
    finishedAt: (r.finished_at as Date) ?? null,
    expectedFiles: r.expected_files as string[],
    holdReason: (r.hold_reason as HoldReason) ?? null,
    holdDetail: (r.hold_detail as string) ?? null,
    approvedBy: (r.approved_by as StoredActor) ?? null,
    approvedAt: (r.approved_at as Date) ?? null,
    queuedBy: (r.queued_by as StoredActor) ?? null,
    cancelRequested: Boolean(r.cancel_requested),
    cancelledBy: (r.cancelled_by as StoredActor) ?? null,
    cancelReason: (r.cancel_reason as string) ?? null,
    reappliedFrom: r.reapplied_from === null || r.reapplied_from === undefined ? null : Number(r.reapplied_from),
    comment: (r.comment as string) ?? null,
    errorCount: Number(r.error_count ?? 0),
    failureMessage: (r.failure_message as string) ?? null,
    counts: (r.counts as ActionCountsRow) ?? {},
    planCounts: (r.plan_counts as ActionCountsRow) ?? {},
    planDigest: (r.plan_digest as string) ?? null,
    hasPlan: r.plan_digest !== null && r.plan_digest !== undefined,
    approvedScope: (r.approved_scope as ApprovalScope) ?? null,
    remainderOf: r.remainder_of === null || r.remainder_of === undefined ? null : Number(r.remainder_of),
    errorGroups: (r.error_groups as ErrorGroup[]) ?? [],
    undoOf: r.undo_of === null || r.undo_of === undefined ? null : Number(r.undo_of),
    undoInclude: (r.undo_include as string[]) ?? [],
    undoSkipped: (r.undo_skipped as UndoSkipped) ?? null,
  };
}

/** Reads one run, or throws NotFoundError. */
export async function getRun(db: Queryable, runId: number): Promise<RunRow> {
  const { rows } = await db.query('SELECT * FROM runs.run WHERE id = $1', [runId]);
  if (!rows[0]) throw new NotFoundError('RUN_NOT_FOUND', `Run ${runId} does not exist`);
  return mapRunRow(rows[0]);
}

/**
 * Moves a run along one transition, guarded in SQL by the allowed source statuses. Throws
 * ConflictError (naming the current status) when the run is not in one of them.
 */
export async function transitionRun(
  db: Queryable,
  runId: number,
  transition: RunTransition,
  fields: TransitionFields = {},
): Promise<RunRow> {
  const { from, to } = TRANSITIONS[transition];
  const sets = ['status = $2', 'updated_at = now()', ...STAMPS[transition]];
  // An approval is stamped when it is recorded, whichever transition records it (Apply, Re-apply).
  if (fields.approvedBy) sets.push('approved_at = now()');
  const values: unknown[] = [runId, to, [...from]];
  for (const [field, value] of Object.entries(fields)) {
    const column = SETTABLE[field as keyof typeof SETTABLE];
    if (!column) throw new Error(`transitionRun: ${field} is not settable`);
    values.push(value !== null && typeof value === 'object' ? JSON.stringify(value) : value);
    sets.push(`${column} = $${values.length}`);
  }
  const { rows } = await db.query(
    `UPDATE runs.run SET ${sets.join(', ')} WHERE id = $1 AND status = ANY($3::text[]) RETURNING *`,
    values,
  );
  if (rows[0]) return mapRunRow(rows[0]);
  const current = await getRun(db, runId);
  throw new ConflictError('RUN_BAD_STATE', `Run ${runId} is ${current.status}: cannot ${transition} it`);
}

/**
 * The worker's checkpoint between batches: true once an admin force-cancelled the run (committed
 * by another transaction, so visible here under READ COMMITTED).
 */
export async function isCancelRequested(db: Queryable, runId: number): Promise<boolean> {
  const { rows } = await db.query<{ status: RunStatus; cancel_requested: boolean }>(
    'SELECT status, cancel_requested FROM runs.run WHERE id = $1',
    [runId],
  );
  return !rows[0] || rows[0].status === 'cancelled' || rows[0].cancel_requested;
}
