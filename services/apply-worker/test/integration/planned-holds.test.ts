/**
 * Every held run has a plan before an admin decides (issue 16): a run start-sync held (first run, file
 * sizes, auto-apply off) is planned by the worker and stays held with its reason; approving it applies
 * exactly that preview, by the planned path or a direct first import; a stale preview holds it again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processRun } from '../../src/usecases/apply-run.js';
import {
  approve,
  cancel,
  createHarness,
  createHeldRun,
  createRunningRun,
  directorySnapshot,
  logText,
  outboxSubjects,
  runRow,
  setConfig,
  type Harness,
} from '../support/harness.js';
import { people, simpleConfig, simpleControl } from '../support/simple-feed.js';

let h: Harness;
const deps = () => ({ pool: h.pool, objects: h.objects, log: h.log });
const planRows = async (runId: number) =>
  (
    await h.pool.query<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM runs.run_plan WHERE run_id = $1 GROUP BY action ORDER BY action`,
      [runId],
    )
  ).rows;

beforeEach(async () => {
  h = await createHarness();
  await setConfig(h.pool, simpleConfig);
});
afterEach(async () => h?.close());

describe('a run held by start-sync', () => {
  it('is planned, not applied: the plan is stored, the reason kept, sync.run.held announced', async () => {
    const runId = await createHeldRun(
      h,
      { _control: simpleControl, users: people(25) },
      { reason: 'first_run', detail: '' },
    );
    expect(await processRun(deps(), runId)).toBe('held');
    const run = await runRow(h.pool, runId);
    expect(run).toMatchObject({ status: 'held', hold_reason: 'first_run', hold_detail: '' });
    expect(run.plan_counts).toMatchObject({ created: 25, blocked: 0 });
    expect(run.plan_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await planRows(runId)).toEqual([{ action: 'create', n: 25 }]);
    expect(await directorySnapshot(h.pool)).toEqual({});
    expect(await outboxSubjects(h.pool)).toEqual(['sync.run.held']);
    // A redelivered message finds the plan stored and does nothing.
    expect(await processRun(deps(), runId)).toBe('ignored');
  });

  it('applies exactly the previewed first import once approved (direct import verifies the digest)', async () => {
    const runId = await createHeldRun(
      h,
      { _control: simpleControl, users: people(25) },
      { reason: 'first_run', detail: '' },
    );
    await processRun(deps(), runId);
    const preview = (await runRow(h.pool, runId)).plan_digest;
    await approve(h.pool, runId);
    expect(await processRun(deps(), runId)).toBe('complete');
    const run = await runRow(h.pool, runId);
    expect(run).toMatchObject({ status: 'complete', plan_digest: preview });
    expect(run.counts).toMatchObject({ created: 25 });
    expect(Object.keys(await directorySnapshot(h.pool))).toHaveLength(25);
  });

  it('holds a stale first-run preview again, for its reason, and applies the new preview once approved', async () => {
    const runId = await createHeldRun(
      h,
      { _control: simpleControl, users: people(25) },
      { reason: 'first_run', detail: '' },
    );
    await processRun(deps(), runId);
    const preview = (await runRow(h.pool, runId)).plan_digest;
    // The configuration changed after the preview: the users' desired states (managed groups) differ.
    await setConfig(h.pool, { ...simpleConfig, managedGroups: [{ code: 'students', name: 'Students' }] });
    await approve(h.pool, runId);
    expect(await processRun(deps(), runId)).toBe('held');
    const held = await runRow(h.pool, runId);
    expect(held).toMatchObject({
      status: 'held',
      hold_reason: 'first_run',
      hold_detail: 'directory changed since preview',
    });
    expect(held.plan_digest).not.toBe(preview);
    expect(await directorySnapshot(h.pool)).toEqual({});
    await approve(h.pool, runId);
    expect(await processRun(deps(), runId)).toBe('complete');
    expect(Object.keys(await directorySnapshot(h.pool))).toHaveLength(25);
  });

  it("adds the plan's own reason to start-sync's, and fails a run whose files cannot be planned", async () => {
    const first = await createRunningRun(h, { _control: simpleControl, users: people(100) });
    expect(await processRun(deps(), first)).toBe('complete');
    const detail = 'users: 9,000 → 7,000 bytes';
    const runId = await createHeldRun(
      h,
      { _control: simpleControl, users: people(70) },
      { reason: 'files_too_different', detail },
    );
    expect(await processRun(deps(), runId)).toBe('held');
    expect(await runRow(h.pool, runId)).toMatchObject({
      status: 'held',
      hold_reason: 'files_too_different',
      hold_detail: `${detail}; the plan also would block 30 users (30% of 100; limit 10%)`,
      plan_counts: expect.objectContaining({ blocked: 30, unchanged: 70 }),
    });
    await cancel(h.pool, runId);

    const broken = await createHeldRun(
      h,
      { _control: simpleControl, users: '[{"ID": "u1",' },
      { reason: 'auto_apply_off', detail: '' },
    );
    expect(await processRun(deps(), broken)).toBe('failed');
    expect(await runRow(h.pool, broken)).toMatchObject({ status: 'failure', plan_digest: null });
    expect((await logText(h.pool, broken)).join('\n')).toMatch(
      /EXCEPTION: Error during sync: Error reading file users at line 1/,
    );
    expect(Object.values(await directorySnapshot(h.pool)).every((u) => u.active)).toBe(true);
  });
});
