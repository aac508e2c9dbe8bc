/**
 * How a run is applied, chosen once before any record is read:
 *   - planned apply: transform into the feed tables, plan against the directory, then hold or apply;
 *   - direct first import: into a directory without any user every valid record is a create, so creates
 *     are written straight into the directory while transforming, and the plan is only counted.
 * A direct first import can never be held: with nobody in the feed neither the empty-source check nor the
 * block thresholds can fire (hold-policy.ts), a control file without a username rule is planned, and an
 * approved preview whose digest must be verified is planned too, so a stale preview holds it again.
 */

/** The two ways to apply a run. */
export type ApplyStrategy = 'planned' | 'direct-first-import';

/** What the choice depends on. */
export interface StrategyFacts {
  /** The directory has no user at all (not even blocked or unmanaged ones). */
  directoryEmpty: boolean;
  /** The control file has a top-level username rule (without one the run is held, hazard H1). */
  hasUsernameRule: boolean;
  /** Direct creates are switched on (ApplyDeps.directCreates). */
  directCreatesEnabled: boolean;
  /** An admin approved a previewed plan whose digest the new plan must match (hasPreviewToVerify). */
  previewToVerify: boolean;
}

/** Direct only when nothing could make the run hold; planned otherwise. */
export function chooseStrategy(f: StrategyFacts): ApplyStrategy {
  const direct = f.directoryEmpty && f.hasUsernameRule && f.directCreatesEnabled && !f.previewToVerify;
  return direct ? 'direct-first-import' : 'planned';
}
