/**
 * How a run is processed, chosen once before any record is read:
 *   - planned apply: transform into the feed tables, plan against the directory, then hold or apply;
 *   - direct first import: into a directory without any user every valid record is a create, so creates
 *     are written straight into the directory while transforming, and the plan is only counted.
 * A direct first import can never be held by the checks: with nobody in the feed neither the empty-source
 * check nor the block thresholds can fire (hold-policy.ts), and a control file without a username rule is
 * planned. An approved preview is verified by the direct import too (same digest); when it differs the
 * transaction rolls back and the run is planned again, so the stale preview holds it (apply-run.ts).
 */

/** The two ways to process a run. */
export type ApplyStrategy = 'planned' | 'direct-first-import';

/** What the choice depends on. */
export interface StrategyFacts {
  /** The directory has no user at all (not even blocked or unmanaged ones). */
  directoryEmpty: boolean;
  /** The control file has a top-level username rule (without one the run is held, hazard H1). */
  hasUsernameRule: boolean;
  /** Direct creates are switched on (ApplyDeps.directCreates). */
  directCreatesEnabled: boolean;
  /** The run is only to be planned and kept held (start-sync held it): nothing is applied. */
  planOnly: boolean;
  /** A direct import of this run found a plan other than the approved preview: plan it to hold it again. */
  previewFoundStale: boolean;
  /** An admin approved part of the plan: the rest is kept back, which needs the planned path. */
  partialApproval: boolean;
}

/** Direct only when the run is applied and nothing could make it hold; planned otherwise. */
export function chooseStrategy(f: StrategyFacts): ApplyStrategy {
  const direct =
    f.directoryEmpty &&
    f.hasUsernameRule &&
    f.directCreatesEnabled &&
    !f.planOnly &&
    !f.previewFoundStale &&
    !f.partialApproval;
  return direct ? 'direct-first-import' : 'planned';
}

/** What the worker does with a run, by its row: apply it, plan a held run that has no plan yet, or nothing. */
export type RunWork = 'apply' | 'plan-only' | 'none';

export function workFor(run: { status: string; hasPlan: boolean }): RunWork {
  if (run.status === 'running') return 'apply';
  if (run.status === 'held' && !run.hasPlan) return 'plan-only';
  return 'none';
}
