/**
 * directory.run_progress: the phase and record count of the run being processed, written on the
 * pool (outside the apply transaction) so the portal sees it live, at most about once a second.
 */
import type pg from 'pg';

/** Phases in order; the last three are final. */
export type RunPhase = 'waiting' | 'transform' | 'plan' | 'apply' | 'complete' | 'held' | 'failed' | 'cancelled';

/** A progress reporter for one run. */
export interface ProgressReporter {
  set(phase: RunPhase, processed?: number): void;
  /** Writes the latest values now and stops the timer. */
  finish(phase: RunPhase): Promise<void>;
}

/** Starts reporting; a failed write is logged by the caller's `onError` and never fails the run. */
export function startProgress(
  pool: pg.Pool,
  runId: number,
  onError: (err: unknown) => void,
  everyMs = 1_000,
): ProgressReporter {
  let phase: RunPhase = 'waiting';
  let processed = 0;
  let dirty = true;
  let writing: Promise<void> = Promise.resolve();
  const write = () => {
    if (!dirty) return writing;
    dirty = false;
    const values = [runId, phase, processed];
    writing = writing
      .then(() =>
        pool.query(
          `INSERT INTO directory.run_progress (run_id, phase, processed) VALUES ($1, $2, $3)
           ON CONFLICT (run_id) DO UPDATE SET phase = EXCLUDED.phase, processed = EXCLUDED.processed, updated_at = now()`,
          values,
        ),
      )
      .then(() => undefined, onError);
    return writing;
  };
  void write();
  const timer = setInterval(() => void write(), everyMs);
  timer.unref();
  return {
    set(next, n) {
      if (next !== phase || (n !== undefined && n !== processed)) dirty = true;
      phase = next;
      if (n !== undefined) processed = n;
    },
    async finish(final) {
      clearInterval(timer);
      phase = final;
      dirty = true;
      await write();
    },
  };
}

/** The progress of a run, or undefined before the worker picked it up. */
export async function readProgress(
  db: Pick<pg.Pool, 'query'>,
  runId: number,
): Promise<{ phase: RunPhase; processed: number; updatedAt: Date } | undefined> {
  const { rows } = await db.query<{ phase: RunPhase; processed: string; updated_at: Date }>(
    'SELECT phase, processed, updated_at FROM directory.run_progress WHERE run_id = $1',
    [runId],
  );
  const r = rows[0];
  return r && { phase: r.phase, processed: Number(r.processed), updatedAt: r.updated_at };
}
