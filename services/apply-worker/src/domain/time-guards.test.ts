import { describe, expect, it } from 'vitest';
import { DEFAULT_TIME_GUARDS } from '@usersync/run-state';
import { timeGuardHold, type TimeFacts } from './time-guards.js';

const facts = (over: Partial<TimeFacts> = {}): TimeFacts => ({
  blocks: 10,
  inFeed: 1000,
  recent: { day: 0, week: 0, median: null },
  groupRemovals: [],
  ...over,
});
const guards = (over: Partial<typeof DEFAULT_TIME_GUARDS> = {}) => ({ ...DEFAULT_TIME_GUARDS, ...over });

describe('timeGuardHold', () => {
  it('holds nothing while every guard is off', () => {
    expect(timeGuardHold(facts({ recent: { day: 900, week: 900, median: 0 } }), guards())).toBeUndefined();
  });

  it('adds the blocks of the window to the plan: count and percentage, day before week', () => {
    expect(timeGuardHold(facts({ recent: { day: 40, week: 40, median: null } }), guards({ maxBlocksDay: 50 }))).toBe(
      undefined,
    );
    expect(timeGuardHold(facts({ recent: { day: 41, week: 41, median: null } }), guards({ maxBlocksDay: 50 }))).toEqual(
      {
        reason: 'block_window',
        detail:
          'would block 10 users; with 41 blocked in the last 24 hours that is 51 (5.1% of 1,000 in the feed; limit 50 in 24 hours)',
      },
    );
    const week = timeGuardHold(
      facts({ recent: { day: 0, week: 95, median: null } }),
      guards({ maxBlocksDay: 50, maxBlockPercentWeek: 10 }),
    );
    expect(week?.detail).toContain(
      'with 95 blocked in the last 7 days that is 105 (10.5% of 1,000 in the feed; limit 10% in 7 days)',
    );
  });

  it('holds far more blocks than the recent median, a median of 0 counting as 1, and needs a median', () => {
    const g = guards({ maxBlockMedianFactor: 3 });
    expect(timeGuardHold(facts({ blocks: 4, recent: { day: 0, week: 0, median: 0 } }), g)?.detail).toBe(
      'would block 4 users, more than 3 × the median of recent runs (0; limit 3)',
    );
    expect(timeGuardHold(facts({ blocks: 3, recent: { day: 0, week: 0, median: 0 } }), g)).toBeUndefined();
    expect(timeGuardHold(facts({ blocks: 400, recent: { day: 0, week: 0, median: null } }), g)).toBeUndefined();
  });

  it('holds membership removals per group, by count or share of the group, blocks or not', () => {
    const groupRemovals = [
      { code: 'staff', removals: 3, members: 10 },
      { code: 'students', removals: 1, members: 500 },
    ];
    expect(timeGuardHold(facts({ blocks: 0, groupRemovals }), guards({ maxGroupRemovalPercent: 20 }))).toEqual({
      reason: 'group_removals',
      detail: 'would remove 3 of 10 members (30%) from group staff; limit 20%',
    });
    expect(timeGuardHold(facts({ groupRemovals }), guards({ maxGroupRemovals: 3 }))).toBeUndefined();
  });
});
