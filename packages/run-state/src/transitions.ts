import type { RunStatus } from './statuses.js';

/**
 * Every way a run's status may change, and from where (DESIGN §3). The guard is enforced in SQL
 * (`WHERE status = ANY(from)`), so two processes racing on one run cannot both win, and a worker
 * finishing a run that an admin force-cancelled cannot overwrite `cancelled` (Haplo hazard H4).
 */
export const TRANSITIONS = {
  /** All expected files are present. */
  markReady: { from: ['uploading'], to: 'ready' },
  /** start-sync or the worker decided an admin must look first; the run waits in `ready`. */
  hold: { from: ['ready', 'running'], to: 'ready' },
  /** start-sync `ok`, or an admin's Apply: the apply-worker is asked to run it. */
  queue: { from: ['ready'], to: 'running' },
  complete: { from: ['running'], to: 'complete' },
  fail: { from: ['running'], to: 'failure' },
  cancel: { from: ['uploading', 'ready'], to: 'cancelled' },
  /** "Unsafe mark cancelled": the worker sees it at its next checkpoint and rolls back. */
  forceCancel: { from: ['running'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly RunStatus[]; to: RunStatus }>;

export type RunTransition = keyof typeof TRANSITIONS;

/** Whether a run in `status` may take `transition` (the UI uses it to offer actions). */
export function canTransition(transition: RunTransition, status: RunStatus): boolean {
  return (TRANSITIONS[transition].from as readonly RunStatus[]).includes(status);
}

/** The admin actions a run page offers for a status (Haplo's action select, reference §4). */
export function availableActions(status: RunStatus): Array<'apply' | 'reapply' | 'cancel' | 'force-cancel'> {
  const actions: Array<'apply' | 'reapply' | 'cancel' | 'force-cancel'> = [];
  if (canTransition('queue', status)) actions.push('apply');
  if (status === 'complete' || status === 'failure') actions.push('reapply');
  if (canTransition('cancel', status)) actions.push('cancel');
  if (canTransition('forceCancel', status)) actions.push('force-cancel');
  return actions;
}

/**
 * A held run is `ready` with a hold reason: start-sync or the planner stopped it for an admin. Such a
 * run is not started by another start-sync, and a new upload may supersede it.
 */
export function isHeld(run: { status: RunStatus; holdReason: string | null }): boolean {
  return run.status === 'ready' && run.holdReason !== null;
}
