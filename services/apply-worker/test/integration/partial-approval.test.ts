/**
 * Partial approval (issue 16): an admin applies the safe part of a held plan (creates, updates,
 * reactivations, minus a named user) in one transaction; the rest becomes a held follow-up run, planned
 * like any held run, refused as stale when the directory moved, and applied once approved on its new plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAFE_ACTIONS } from '@usersync/run-state';
import { processRun } from '../../src/usecases/apply-run.js';
import {
  approve,
  createHarness,
  createRunningRun,
  directorySnapshot,
  logText,
  outboxSubjects,
  runRow,
  setConfig,
  type Harness,
} from '../support/harness.js';
import { people, person, simpleConfig, simpleControl } from '../support/simple-feed.js';

let h: Harness;
const deps = () => ({ pool: h.pool, objects: h.objects, log: h.log });
let heldRun: number;
let followUp: number;

beforeAll(async () => {
  h = await createHarness();
  await setConfig(h.pool, simpleConfig);
  const first = await createRunningRun(h, { _control: simpleControl, users: people(100) });
  expect(await processRun(deps(), first)).toBe('complete');
  // 15 leavers (over the 10% limit), 5 new starters, one changed name: held for the blocks.
  const users = [
    person(0, { LAST: 'Renamed' }),
    ...people(85).slice(1),
    ...[100, 101, 102, 103, 104].map((n) => person(n)),
  ];
  heldRun = await createRunningRun(h, { _control: simpleControl, users });
  expect(await processRun(deps(), heldRun)).toBe('held');
  expect((await runRow(h.pool, heldRun)).plan_counts).toMatchObject({ created: 5, updated: 1, blocked: 15 });
});
afterAll(async () => h?.close());

describe('partial approval', () => {
  it('applies the safe part now, minus the excluded user, and keeps the rest back', async () => {
    const scope = { actions: [...SAFE_ACTIONS], excludedUsernames: ['u100'], reason: 'leavers need an HR check' };
    await approve(h.pool, heldRun, scope);
    expect(await processRun(deps(), heldRun)).toBe('complete');
    const run = await runRow(h.pool, heldRun);
    expect(run.status).toBe('complete');
    expect(run.counts).toMatchObject({ created: 4, updated: 1, blocked: 0 });
    const users = await directorySnapshot(h.pool);
    expect(users.u0!.name_last).toBe('Renamed');
    expect(users.u101?.active).toBe(true);
    expect(users.u100).toBeUndefined();
    expect([85, 90, 99].map((n) => users[`u${n}`]!.active)).toEqual([true, true, true]);
    // The stored plan is what was applied.
    const plan = await h.pool.query('SELECT count(*)::int AS n FROM runs.run_plan WHERE run_id = $1', [heldRun]);
    expect(plan.rows[0].n).toBe(5);
    expect((await logText(h.pool, heldRun)).join('\n')).toContain(
      'Approved in part (applied create, update, reactivate only; left out 1 named users): 16 planned changes kept back for a follow-up run. Reason: leavers need an HR check',
    );
  });

  it('opens a held follow-up run for the rest, linked to the run, and plans it', async () => {
    const { rows } = await h.pool.query(
      `SELECT id, status, hold_reason, hold_detail, remainder_of, plan_digest FROM runs.run WHERE remainder_of = $1`,
      [heldRun],
    );
    expect(rows).toHaveLength(1);
    followUp = Number(rows[0].id);
    expect(rows[0]).toMatchObject({
      status: 'held',
      hold_reason: 'partial_remainder',
      hold_detail: `16 planned changes of run ${heldRun} were kept back for a later decision`,
      plan_digest: null,
    });
    const files = await h.pool.query('SELECT name FROM runs.run_file WHERE run_id = $1 ORDER BY name', [followUp]);
    expect(files.rows.map((f) => f.name)).toEqual(['_control', 'users']);
    expect(await outboxSubjects(h.pool)).toContain('sync.run.queued');

    expect(await processRun(deps(), followUp)).toBe('held');
    const held = await runRow(h.pool, followUp);
    expect(held.plan_counts).toMatchObject({ created: 1, updated: 0, blocked: 15 });
    expect(held.hold_detail).toContain('; the plan also would block 15 users');
  });

  it('refuses the rest as stale when the directory moved, then applies its new plan once approved', async () => {
    await h.pool.query(`UPDATE directory."user" SET error = true WHERE username = 'u1'`);
    await approve(h.pool, followUp);
    expect(await processRun(deps(), followUp)).toBe('held');
    // Held again, for what the new plan shows: the blocks, on a directory that moved since the preview.
    expect(await runRow(h.pool, followUp)).toMatchObject({
      status: 'held',
      hold_reason: 'block_threshold',
      hold_detail: 'directory changed since preview; would block 15 users (14.4% of 104; limit 10%)',
    });
    expect((await directorySnapshot(h.pool)).u90!.active).toBe(true);

    await approve(h.pool, followUp);
    expect(await processRun(deps(), followUp)).toBe('complete');
    const users = await directorySnapshot(h.pool);
    expect(users.u90!.active).toBe(false);
    expect(users.u100!.active).toBe(true);
    expect((await runRow(h.pool, followUp)).counts).toMatchObject({ created: 1, updated: 1, blocked: 15 });
  });
});
