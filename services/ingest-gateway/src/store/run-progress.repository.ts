/**
 * The live progress of a run for GetRun (the portal's progress view): runs.run_progress, written by the
 * apply worker through run-state while it applies.
 */
import type { runsV1 } from '@usersync/contracts';
import { readRunProgress as readStoredProgress, type Queryable } from '@usersync/run-state';

/** The run's progress, or undefined before the worker picked it up. */
export async function readRunProgress(db: Queryable, runId: number): Promise<runsV1.RunProgress | undefined> {
  const p = await readStoredProgress(db, runId);
  return (
    p && {
      phase: p.phase,
      processed: p.processed,
      updatedAt: p.updatedAt,
      unit: p.unit,
      ...(p.total === null ? {} : { total: p.total }),
      startedAt: p.startedAt,
      phaseStartedAt: p.phaseStartedAt,
      heartbeatAt: p.heartbeatAt,
    }
  );
}
