/**
 * runs.run_progress: the phase and record count of the run being applied. The apply worker writes it
 * on its pool, outside the apply transaction (so it shows while the run is running), throttled by the
 * caller; GetRun reads it for the portal's live progress.
 */
import type { Queryable } from './run.repository.js';

/** Phases in order; the last four are final. */
export type RunProgressPhase =
  'waiting' | 'transform' | 'plan' | 'apply' | 'complete' | 'held' | 'failed' | 'cancelled';

/** A run's progress as last written. */
export interface RunProgress {
  phase: RunProgressPhase;
  processed: number;
  updatedAt: Date;
}

/** Records the run's current phase and processed count (one row per run, overwritten). */
export async function writeRunProgress(
  db: Queryable,
  runId: number,
  phase: RunProgressPhase,
  processed: number,
): Promise<void> {
  await db.query(
    `INSERT INTO runs.run_progress (run_id, phase, processed) VALUES ($1, $2, $3)
     ON CONFLICT (run_id) DO UPDATE SET phase = EXCLUDED.phase, processed = EXCLUDED.processed, updated_at = now()`,
    [runId, phase, processed],
  );
}

/** The run's progress, or undefined before the worker picked it up. */
export async function readRunProgress(db: Queryable, runId: number): Promise<RunProgress | undefined> {
  const { rows } = await db.query<{ phase: RunProgressPhase; processed: string; updated_at: Date }>(
    'SELECT phase, processed, updated_at FROM runs.run_progress WHERE run_id = $1',
    [runId],
  );
  const r = rows[0];
  return r && { phase: r.phase, processed: Number(r.processed), updatedAt: r.updated_at };
}
