/**
 * The guards over time (issue 18; settings in run-state's sync-config-guards.ts), pure: a run whose planned
 * blocks plus those applied in the last 24 hours or 7 days pass a limit is held for `block_window`, as is one
 * that blocks more than a multiple of the recent median; a run that would remove more sync-made memberships
 * from one group than allowed is held for `group_removals`. Each detail names the window or group and the
 * numbers, so the admin sees why without opening anything else.
 */
import type { TimeGuards } from '@usersync/run-state';
import type { Hold } from './hold-policy.js';

/** What the guards compare. */
export interface TimeFacts {
  /** This run's planned blocks. */
  blocks: number;
  /** Managed users in the feed before the run. */
  inFeed: number;
  /** Blocks applied by runs completed in the last 24 hours / 7 days; median of recent runs (null: too few). */
  recent: { day: number; week: number; median: number | null };
  /** Planned removals of sync-made memberships per group, with the group's sync-made members before the run. */
  groupRemovals: ReadonlyArray<{ code: string; removals: number; members: number }>;
}

const num = (n: number) => n.toLocaleString('en-US');
const pct = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const users = (n: number) => `${num(n)} ${n === 1 ? 'user' : 'users'}`;

/** The first guard over time that holds the run; undefined when none does. */
export function timeGuardHold(f: TimeFacts, g: TimeGuards): Hold | undefined {
  if (f.blocks > 0) {
    const windows = [
      { name: '24 hours', applied: f.recent.day, count: g.maxBlocksDay, percent: g.maxBlockPercentDay },
      { name: '7 days', applied: f.recent.week, count: g.maxBlocksWeek, percent: g.maxBlockPercentWeek },
    ];
    for (const w of windows) {
      const total = f.blocks + w.applied;
      const share = f.inFeed > 0 ? (total * 100) / f.inFeed : 0;
      const overCount = w.count !== null && total > w.count;
      const overPercent = w.percent !== null && f.inFeed > 0 && share > w.percent;
      if (!overCount && !overPercent) continue;
      const limit = overCount ? `limit ${num(w.count!)} in ${w.name}` : `limit ${pct(w.percent!)}% in ${w.name}`;
      return {
        reason: 'block_window',
        detail: `would block ${users(f.blocks)}; with ${num(w.applied)} blocked in the last ${w.name} that is ${num(total)} (${pct(share)}% of ${num(f.inFeed)} in the feed; ${limit})`,
      };
    }
    const factor = g.maxBlockMedianFactor;
    if (factor !== null && f.recent.median !== null) {
      const allowed = factor * Math.max(f.recent.median, 1);
      if (f.blocks > allowed) {
        return {
          reason: 'block_window',
          detail: `would block ${users(f.blocks)}, more than ${pct(factor)} × the median of recent runs (${pct(f.recent.median)}; limit ${num(Math.floor(allowed))})`,
        };
      }
    }
  }
  for (const r of f.groupRemovals) {
    const share = r.members > 0 ? (r.removals * 100) / r.members : 100;
    const overCount = g.maxGroupRemovals !== null && r.removals > g.maxGroupRemovals;
    const overPercent = g.maxGroupRemovalPercent !== null && share > g.maxGroupRemovalPercent;
    if (!overCount && !overPercent) continue;
    const limit = overCount ? `limit ${num(g.maxGroupRemovals!)}` : `limit ${pct(g.maxGroupRemovalPercent!)}%`;
    return {
      reason: 'group_removals',
      detail: `would remove ${num(r.removals)} of ${num(r.members)} members (${pct(share)}%) from group ${r.code}; ${limit}`,
    };
  }
  return undefined;
}

/** Whether any group guard is configured (the planner then counts removals per group). */
export const guardsGroups = (g: TimeGuards): boolean =>
  g.maxGroupRemovals !== null || g.maxGroupRemovalPercent !== null;
