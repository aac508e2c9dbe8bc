/**
 * Whether a planned run must wait for an admin (DESIGN §6 step 3, hazards H1 and H2). A run is held,
 * unless an admin approved exactly this plan, when
 *   - the control file has no top-level username rule (H1): no record matches a user;
 *   - the files hold no valid record while users are in the feed (empty source);
 *   - the planned blocks exceed `maxBlockPercent` of the in-feed users or `maxBlockCount`;
 *   - a guard over time holds it (time-guards.ts: blocks in a rolling window, against the recent median,
 *     membership removals per group).
 * An admin's approval of a previewed plan bypasses the thresholds only while the plan is still the one
 * previewed (same digest); otherwise the run is held again. Pure, so it is tested without a database.
 */
import { DEFAULT_TIME_GUARDS, type HoldReason, type TimeGuards } from '@usersync/run-state';
import type { ApplySettings } from './apply-settings.js';
import { timeGuardHold, type TimeFacts } from './time-guards.js';

/** What the planner found, as the policy needs it. */
export interface PlanFacts {
  hasUsernameRule: boolean;
  /** Records that transformed into a desired state. */
  validRecords: number;
  /** Managed users in the feed before this run. */
  inFeed: number;
  blocks: number;
  /** What the guards over time compare (omitted: they are not checked). */
  time?: Omit<TimeFacts, 'blocks' | 'inFeed'>;
}

/** The settings the checks read; guards over time absent are off. */
export type HoldSettings = Pick<ApplySettings, 'maxBlockPercent' | 'maxBlockCount'> & Partial<TimeGuards>;

/** A hold decision. */
export interface Hold {
  reason: HoldReason;
  detail: string;
}

const num = (n: number) => n.toLocaleString('en-US');
/** "1 user", "1,204 users". */
const users = (n: number) => `${num(n)} ${n === 1 ? 'user' : 'users'}`;
const pct = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** The first reason to hold, most fundamental first; undefined when the plan may apply. */
export function holdFor(facts: PlanFacts, settings: HoldSettings): Hold | undefined {
  return perRunHold(facts, settings) ?? overTime(facts, settings);
}

function overTime(facts: PlanFacts, settings: HoldSettings): Hold | undefined {
  if (!facts.time) return undefined;
  return timeGuardHold(
    { ...facts.time, blocks: facts.blocks, inFeed: facts.inFeed },
    { ...DEFAULT_TIME_GUARDS, ...settings },
  );
}

function perRunHold(facts: PlanFacts, settings: HoldSettings): Hold | undefined {
  if (!facts.hasUsernameRule) {
    return {
      reason: 'no_username_rule',
      detail: `no record can be matched to a user; applying would block ${users(facts.blocks)}`,
    };
  }
  if (facts.validRecords === 0 && facts.inFeed > 0) {
    return {
      reason: 'empty_source',
      detail: `the files hold no valid user records while ${num(facts.inFeed)} users are in the feed`,
    };
  }
  if (facts.blocks === 0 || facts.inFeed === 0) return undefined;
  const percent = (facts.blocks * 100) / facts.inFeed;
  const { maxBlockPercent, maxBlockCount } = settings;
  const overPercent = maxBlockPercent !== null && percent > maxBlockPercent;
  const overCount = maxBlockCount !== null && facts.blocks > maxBlockCount;
  if (!overPercent && !overCount) return undefined;
  const limit = overPercent ? `limit ${pct(maxBlockPercent!)}%` : `limit ${num(maxBlockCount!)} users`;
  return {
    reason: 'block_threshold',
    detail: `would block ${users(facts.blocks)} (${pct(percent)}% of ${num(facts.inFeed)}; ${limit})`,
  };
}

/** Detail prefix of a run held again because its approved preview no longer matches the directory. */
export const STALE_PLAN_DETAIL = 'directory changed since preview';

/** An admin's approval of the run, as its row records it. */
export interface Approval {
  /** An admin approved the run. */
  approved: boolean;
  /** Digest of the plan the admin previewed (stored when the worker held the run), if any. */
  previewDigest: string | null;
  /** Why the run was held before, if it was. */
  heldFor: HoldReason | null;
}

/** The approval a run's row records: who approved it (if anyone), its stored preview, what it was held for. */
export function approvalOf(
  run: { approvedBy: unknown; holdReason: HoldReason | null },
  previewDigest: string | null,
): Approval {
  return { approved: run.approvedBy !== null, previewDigest, heldFor: run.holdReason };
}

/** True when the approval is of a previewed plan, which the new plan's digest must match. */
export function hasPreviewToVerify(approval: Approval): boolean {
  return approval.approved && approval.previewDigest !== null;
}

/**
 * The hold decision for a plan with digest `digest`. An admin's approval applies exactly the plan they
 * previewed: when the preview's digest matches, the checks are bypassed; when the directory moved since,
 * the run is held again. An approval without a stored preview (an admin applied a ready run that was
 * never held) still gets the checks, so nobody approves a mass block they never saw.
 */
export function holdDecision(
  facts: PlanFacts,
  settings: HoldSettings,
  approval: Approval,
  digest: string,
): Hold | undefined {
  const hold = holdFor(facts, settings);
  if (!hasPreviewToVerify(approval)) return hold;
  if (approval.previewDigest === digest) return undefined;
  return {
    reason: hold?.reason ?? approval.heldFor ?? 'block_threshold',
    detail: hold ? `${STALE_PLAN_DETAIL}; ${hold.detail}` : STALE_PLAN_DETAIL,
  };
}

/**
 * The hold of a run start-sync held (first run, file sizes, auto-apply off) once the worker planned it: the
 * reason stays start-sync's, and when the plan would have held it too, that is added to the detail, so the
 * admin reads every reason to look before applying.
 */
export function plannedHold(heldFor: Hold, planHold: Hold | undefined): Hold {
  if (!planHold || planHold.reason === heldFor.reason) return heldFor;
  const detail = heldFor.detail ? `${heldFor.detail}; the plan also ${planHold.detail}` : planHold.detail;
  return { reason: heldFor.reason, detail };
}

/**
 * The hold for returning users whose stable key changed (store/reused-usernames.repository.ts): never bypassed
 * by an approval, since applying would give the old person's account to someone else. The admin keeps those
 * users back (approve in part without them), or corrects the feed when it is the same person.
 */
export function reusedUsernameHold(
  stableKey: string,
  reused: { count: number; listed: Array<{ username: string; stored: string; incoming: string }> },
): Hold | undefined {
  if (reused.count === 0) return undefined;
  const named = reused.listed.map((r) => `${r.username} (${r.stored} → ${r.incoming})`).join(', ');
  const more = reused.count > reused.listed.length ? ` and ${num(reused.count - reused.listed.length)} more` : '';
  return {
    reason: 'reused_username',
    detail: `${users(reused.count)} came back with a different ${stableKey}, so the username now belongs to another person: ${named}${more}`,
  };
}
