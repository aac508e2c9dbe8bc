/**
 * Guards over time (issue 18): three runs, each under the per-run block limit, the third held because its
 * blocks plus those applied in the last 24 hours pass the daily limit; the same run applies once the worker's
 * clock has moved past the window; a run removing too many members from one group is held for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRun } from '../../src/usecases/apply-run.js';
import { createHarness, createRunningRun, runRow, setConfig, type Harness } from '../support/harness.js';
import { people, person, simpleConfig, simpleControl } from '../support/simple-feed.js';

let h: Harness;
// The worker's clock, moved forward by the test.
let offsetMs = 0;
const deps = () => ({ pool: h.pool, objects: h.objects, log: h.log, now: () => new Date(Date.now() + offsetMs) });
const run = async (users: object[]) => {
  const id = await createRunningRun(h, { _control: simpleControl, users });
  return { id, outcome: await processRun(deps(), id) };
};

beforeAll(async () => {
  h = await createHarness();
  // Per run: at most 10% of the feed (10 of 100). Over 24 hours: at most 12 blocks.
  await setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 10, maxBlocksDay: 12, maxGroupRemovals: 5 });
  expect((await run(people(100))).outcome).toBe('complete');
});
afterAll(async () => h?.close());

describe('blocks over a rolling 24 hours', () => {
  let third: number;

  it('applies two runs of 5 blocks each, then holds the third for the 24-hour window', async () => {
    expect((await run(people(95))).outcome).toBe('complete');
    expect((await run(people(90))).outcome).toBe('complete');
    const held = await run(people(85));
    third = held.id;
    expect(held.outcome).toBe('held');
    const row = await runRow(h.pool, third);
    expect(row.hold_reason).toBe('block_window');
    expect(row.hold_detail).toBe(
      'would block 5 users; with 10 blocked in the last 24 hours that is 15 (16.7% of 90 in the feed; limit 12 in 24 hours)',
    );
    expect(row.plan_counts).toMatchObject({ blocked: 5 });
    // Nothing of it was applied.
    const active = await h.pool.query(`SELECT count(*)::int AS n FROM directory."user" WHERE active`);
    expect(active.rows[0].n).toBe(90);
  });

  it('lets the same files through once the earlier blocks are older than 24 hours', async () => {
    offsetMs = 25 * 3600_000;
    await h.pool.query(`UPDATE runs.run SET status = 'cancelled', finished_at = now() WHERE id = $1`, [third]);
    const later = await run(people(85));
    expect(later.outcome).toBe('complete');
    expect((await runRow(h.pool, later.id)).counts).toMatchObject({ blocked: 5 });
  });
});

describe('membership removals per group', () => {
  // Blocked users keep their memberships, so the 15 blocked above still count among staff's 100 members.
  it('holds a run that would remove more than the limit from one group, naming the group and the numbers', async () => {
    const users = people(85).map((p, n) => (n < 6 ? person(n, { GROUP: 'students' }) : p));
    const held = await run(users);
    expect(held.outcome).toBe('held');
    const row = await runRow(h.pool, held.id);
    expect(row.hold_reason).toBe('group_removals');
    expect(row.hold_detail).toBe('would remove 6 of 100 members (6%) from group staff; limit 5');
  });
});
