/**
 * Undo a run (issue 18): a compensating run names the complete run it undoes (`runs.run.undo_of`). It is an
 * ordinary run otherwise: opened held for `undo` (an admin always reviews its plan), planned by the apply
 * worker from the directory's history of the undone run, approved with Apply (whole or in part) and applied in
 * one transaction with the normal hold checks. It has no files. Users changed again by a later run are left
 * alone (listed in `undo_skipped`) unless the admin names them in `undo_include`.
 */
import type { Queryable, RunRow } from './run.repository.js';
import { mapRunRow } from './run.repository.js';

/** How many skipped users a run row lists (the count is exact). */
export const UNDO_SKIPPED_LISTED = 500;
/** Most usernames an admin may include one by one. */
export const MAX_UNDO_INCLUDE = 10_000;

/** A user an undo leaves alone, and the latest later run that changed them. */
export interface UndoSkippedUser {
  username: string;
  laterRunId: number;
}

/** Who an undo leaves alone: the exact count and the first {@link UNDO_SKIPPED_LISTED} by username. */
export interface UndoSkipped {
  count: number;
  users: UndoSkippedUser[];
}

/** True for a compensating run. */
export const isUndoRun = (run: Pick<RunRow, 'undoOf'>): boolean => run.undoOf !== null;

/**
 * Opens the undo of `undoOf`: held for `undo`, no files, no plan yet (the worker plans it). The caller holds
 * the open-run lock; the one-open-run index refuses a second open run.
 */
export async function openUndoRun(
  db: Queryable,
  undo: { undoOf: number; include: readonly string[]; detail: string },
): Promise<RunRow> {
  const { rows } = await db.query(
    `INSERT INTO runs.run (status, expected_files, ready_at, hold_reason, hold_detail, undo_of, undo_include, source)
     SELECT 'held', '{}', now(), 'undo', $2, $1, $3, source FROM runs.run WHERE id = $1 RETURNING *`,
    [undo.undoOf, undo.detail, [...undo.include]],
  );
  return mapRunRow(rows[0]);
}

/**
 * The undo runs of `runId` that are open or complete (a cancelled or failed undo may be tried again), newest
 * first. A complete undo means there is nothing left to undo: its own changes are later than the run's.
 */
export async function liveUndosOf(db: Queryable, runId: number): Promise<RunRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM runs.run WHERE undo_of = $1 AND status NOT IN ('cancelled', 'failure') ORDER BY id DESC`,
    [runId],
  );
  return rows.map(mapRunRow);
}

/** Stores who the planned undo leaves alone (the worker, inside its transaction). */
export async function storeUndoSkipped(db: Queryable, runId: number, skipped: UndoSkipped): Promise<void> {
  await db.query('UPDATE runs.run SET undo_skipped = $2 WHERE id = $1', [runId, JSON.stringify(skipped)]);
}
