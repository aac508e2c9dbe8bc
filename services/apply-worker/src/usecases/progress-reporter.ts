/**
 * Live progress of the run being processed (runs.run_progress, through run-state), written on the pool
 * (outside the apply transaction) so the portal sees it while the run is running, at most about once a
 * second.
 */
import type pg from 'pg';
import { writeRunProgress, type RunProgressPhase } from '@usersync/run-state';

/** Phases in order; the last four are final. */
export type RunPhase = RunProgressPhase;

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
    const [p, n] = [phase, processed];
    writing = writing.then(() => writeRunProgress(pool, runId, p, n)).then(() => undefined, onError);
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
