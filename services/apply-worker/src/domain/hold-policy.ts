/**
 * Whether a planned run must wait for an admin (DESIGN §6 step 3, hazards H1 and H2): pure, so the
 * thresholds are tested without a database.
 */
import type { HoldReason } from '@usersync/run-state';
import type { ApplySettings } from './apply-settings.js';

/** What the planner found, as the policy needs it. */
export interface PlanFacts {
  hasUsernameRule: boolean;
  /** Records that transformed into a desired state. */
  validRecords: number;
  /** Managed users in the feed before this run. */
  inFeed: number;
  blocks: number;
}

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
export function holdFor(
  facts: PlanFacts,
  settings: Pick<ApplySettings, 'maxBlockPercent' | 'maxBlockCount'>,
): Hold | undefined {
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
