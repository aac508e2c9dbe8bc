/**
 * Live progress of the run being processed (runs.run_progress, through run-state), written on the pool
 * (outside the apply transaction) so the portal and the run status API see it while the run is running:
 * at most about once a second while the figures move, and at least every few seconds regardless (the
 * heartbeat), so a long SQL phase shows a live worker and a dead one shows as stalled.
 *
 * What is counted: bytes read of the run's data files while transforming (their sizes are known before
 * the run starts, so that total is exact), then records of the scanned total while planning and applying.
 * The same phase clock feeds `/metrics` (platform run-metrics.ts): seconds per phase, records per run and
 * runs by outcome, observed when the run finishes whatever its outcome.
 */
import type pg from 'pg';
import type { FileSources } from '@usersync/control-file';
import { runProcessingMetrics } from '@usersync/platform';
import type { RunFileRef } from '@usersync/run-state';
import { writeRunProgress, type ProgressUnit, type RunProgressPhase } from '@usersync/run-state';

// Registered when the worker loads this module, so a fresh worker's /metrics already lists them (dashboards
// and alert rules see the series before the first run).
const metrics = runProcessingMetrics();

/** Phases in order; the last four are final. */
export type RunPhase = RunProgressPhase;

/** A progress reporter for one run. */
export interface ProgressReporter {
  /** Moves the count (and the phase, keeping its unit and total when it is the same phase). */
  set(phase: RunPhase, processed?: number): void;
  /** Starts a phase counted in `unit` of `total` (null when unknown): the count restarts at 0, and the phase clock. */
  begin(phase: RunPhase, unit: ProgressUnit, total: number | null): void;
  /** Wraps the data file sources so the bytes the engine reads move the transform count. */
  countBytes(sources: FileSources): FileSources;
  /** Writes the latest values now and stops the timer; complete and held count the phase as done. */
  finish(phase: RunPhase): Promise<void>;
}

/** Bytes of the data files the control file reads (`fileNames`): the transform's exact total. */
export function dataFileBytes(files: readonly RunFileRef[], fileNames: readonly string[]): number {
  const read = new Set(fileNames);
  return files.filter((f) => read.has(f.name)).reduce((sum, f) => sum + f.size, 0);
}

/** Starts reporting; a failed write is logged by the caller's `onError` and never fails the run. */
export function startProgress(
  pool: pg.Pool,
  runId: number,
  onError: (err: unknown) => void,
  everyMs = 1_000,
  heartbeatMs = 5_000,
): ProgressReporter {
  const startedAt = new Date();
  let phase: RunPhase = 'waiting';
  let phaseStartedAt = startedAt;
  let unit: ProgressUnit = 'records';
  let total: number | null = null;
  let processed = 0;
  let dirty = true;
  let lastWrite = 0;
  let writing: Promise<void> = Promise.resolve();
  const phaseSeconds: Record<string, number> = {};
  let records: number | undefined;
  // Time spent in the phase being left; `waiting` before the transform is the run's preparation.
  const lap = () => {
    const name = phase === 'waiting' ? 'prepare' : phase;
    phaseSeconds[name] = (phaseSeconds[name] ?? 0) + (Date.now() - phaseStartedAt.getTime()) / 1000;
  };
  const write = () => {
    if (!dirty && Date.now() - lastWrite < heartbeatMs) return writing;
    dirty = false;
    lastWrite = Date.now();
    const [p, n, extent] = [phase, processed, { unit, total, startedAt, phaseStartedAt }];
    writing = writing.then(() => writeRunProgress(pool, runId, p, n, extent)).then(() => undefined, onError);
    return writing;
  };
  void write();
  const timer = setInterval(() => void write(), everyMs);
  timer.unref();
  const reporter: ProgressReporter = {
    set(next, n) {
      if (next !== phase || (n !== undefined && n !== processed)) dirty = true;
      if (next !== phase) {
        lap();
        phaseStartedAt = new Date();
      }
      phase = next;
      if (n !== undefined) processed = n;
    },
    begin(next, nextUnit, nextTotal) {
      lap();
      if (next === 'plan' && nextTotal !== null) records = nextTotal;
      [phase, unit, total, processed, phaseStartedAt, dirty] = [next, nextUnit, nextTotal, 0, new Date(), true];
    },
    countBytes(sources) {
      let bytes = 0;
      const counted = async function* (source: AsyncIterable<Uint8Array | string>) {
        for await (const chunk of source) {
          bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
          reporter.set('transform', bytes);
          yield chunk;
        }
      };
      return (name: string) => {
        const source = typeof sources === 'function' ? sources(name) : sources[name];
        if (source === undefined) return undefined;
        return async () => counted(typeof source === 'function' ? await source() : source);
      };
    },
    async finish(final) {
      clearInterval(timer);
      // A run that completed or was held went through its last phase whole.
      if ((final === 'complete' || final === 'held') && total !== null) processed = total;
      lap();
      for (const [name, seconds] of Object.entries(phaseSeconds))
        metrics.phaseDuration.observe({ phase: name }, seconds);
      if (records !== undefined) metrics.recordsPerRun.observe(records);
      // Back to `waiting` is a transient failure: the run is retried, not finished.
      metrics.runsProcessed.inc({ outcome: final === 'waiting' ? 'retried' : final });
      phase = final;
      dirty = true;
      await write();
    },
  };
  return reporter;
}
