import type { RunStatus } from './statuses.js';

/**
 * Every way a run's status may change, and from where (DESIGN §3). The guard is enforced in SQL
 * (`WHERE status = ANY(from)`), so two processes racing on one run cannot both win, and a worker
 * finishing a run that an admin force-cancelled cannot overwrite `cancelled` (Haplo hazard H4).
 */
export const TRANSITIONS = {
  /** All expected files are present. */
  markReady: { from: ['uploading'], to: 'ready' },
  /**
   * start-sync's checks or the worker's plan decided an admin must look first. From `held` too: the worker
   * stores the plan of a run start-sync held and keeps it held.
   */
  hold: { from: ['ready', 'running', 'held'], to: 'held' },
  /** start-sync `ok`, or an admin's Apply: the apply-worker is asked to run it. */
  queue: { from: ['ready', 'held'], to: 'running' },
  complete: { from: ['running'], to: 'complete' },
  /** The apply failed and rolled back; from `held` when planning a held run failed (it cannot be applied). */
  fail: { from: ['running', 'held'], to: 'failure' },
  cancel: { from: ['uploading', 'ready', 'held'], to: 'cancelled' },
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

/** A held run waits for an admin: another start-sync does not start it, and a new upload may supersede it. */
export function isHeld(run: { status: RunStatus }): boolean {
  return run.status === 'held';
}

/**
 * The hold a run shows: only while it is held. An approved run keeps its reason on the row, so the worker can
 * hold it again for that reason should the preview be stale; it is not shown as held meanwhile.
 */
export function shownHold<R extends string>(run: {
  status: RunStatus;
  holdReason: R | null;
  holdDetail: string | null;
}): { reason: R; detail: string | null } | null {
  return run.status === 'held' && run.holdReason ? { reason: run.holdReason, detail: run.holdDetail } : null;
}

/** When a run was applied: its finish time when complete; a failed or cancelled run was not applied. */
export function appliedAt(run: { status: RunStatus; finishedAt: Date | null }): Date | null {
  return run.status === 'complete' ? run.finishedAt : null;
}
