/**
 * What became of a run, in words an admin and a script can act on (issue 16): a `complete` run with
 * per-record errors is not a green "complete", a failure applied nothing, a cancel says by whom and why.
 */
import type { RunStatus } from './statuses.js';

export type RunOutcome = 'complete' | 'complete_with_errors' | 'failed' | 'cancelled';

export const RUN_OUTCOME_LABEL: Readonly<Record<RunOutcome, string>> = {
  complete: 'Complete',
  complete_with_errors: 'Complete with errors',
  failed: 'Failed (nothing applied)',
  cancelled: 'Cancelled',
};

/** The outcome of a finished run; null while it is open. */
export function runOutcome(run: { status: RunStatus; errorCount: number }): RunOutcome | null {
  switch (run.status) {
    case 'complete':
      return run.errorCount > 0 ? 'complete_with_errors' : 'complete';
    case 'failure':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    default:
      return null;
  }
}

/** What an open run waits for, in words (the runs list and the run page). */
export const RUN_STATUS_LABEL: Readonly<Record<RunStatus, string>> = {
  uploading: 'Waiting for files',
  ready: 'Ready (waiting for start-sync)',
  held: 'Held for an admin',
  running: 'Running',
  complete: 'Complete',
  cancelled: 'Cancelled',
  failure: 'Failed',
};
