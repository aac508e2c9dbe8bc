/**
 * Each hold reason, approval of the exact preview, stale-plan refusal, failures (corrupt JSON, bad
 * control file, missing object) with nothing applied, and Unsafe mark cancelled mid-apply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transitionRun } from '@usersync/run-state';
import { processRun } from '../../src/usecases/apply-run.js';
import {
  approve,
  cancel,
  createHarness,
  createRunningRun,
  directorySnapshot,
  insertRun,
  logText,
  outboxSubjects,
  runRow,
  setConfig,
  type Harness,
} from '../support/harness.js';
import { people, simpleConfig, simpleControl } from '../support/simple-feed.js';

let h: Harness;
const deps = () => ({ pool: h.pool, objects: h.objects, log: h.log });

beforeAll(async () => {
  h = await createHarness();
  await setConfig(h.pool, simpleConfig);
  const first = await createRunningRun(h, { _control: simpleControl, users: people(100) });
  expect(await processRun(deps(), first)).toBe('complete');
});
afterAll(async () => h?.close());

describe('holds', () => {
  it('holds an empty source while users are in the feed', async () => {
    const runId = await createRunningRun(h, { _control: simpleControl, users: [] });
    expect(await processRun(deps(), runId)).toBe('held');
    expect(await runRow(h.pool, runId)).toMatchObject({
      status: 'held',
      hold_reason: 'empty_source',
      hold_detail: 'the files hold no valid user records while 100 users are in the feed',
    });
    expect((await outboxSubjects(h.pool)).at(-1)).toBe('sync.run.held');
    await cancel(h.pool, runId);
  });

  it('holds a control file without a username rule (H1)', async () => {
    const control = { ...simpleControl, instructions: simpleControl.instructions.slice(1) };
    const runId = await createRunningRun(h, { _control: control, users: people(100) });
    expect(await processRun(deps(), runId)).toBe('held');
    const run = await runRow(h.pool, runId);
    expect(run.hold_reason).toBe('no_username_rule');
    expect(run.plan_counts).toMatchObject({ blocked: 100 });
    expect((await logText(h.pool, runId))[1]).toMatch(/^ERROR: No simple rule for extracting username/);
    await cancel(h.pool, runId);
  });

  it('holds over maxBlockCount and over maxBlockPercent, with the detail admins read', async () => {
    await setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 50, maxBlockCount: 5 });
    let runId = await createRunningRun(h, { _control: simpleControl, users: people(90) });
    expect(await processRun(deps(), runId)).toBe('held');
    expect((await runRow(h.pool, runId)).hold_detail).toBe('would block 10 users (10% of 100; limit 5 users)');
    await cancel(h.pool, runId);

    await setConfig(h.pool, simpleConfig);
    runId = await createRunningRun(h, { _control: simpleControl, users: people(86) });
    expect(await processRun(deps(), runId)).toBe('held');
    expect((await runRow(h.pool, runId)).hold_detail).toBe('would block 14 users (14% of 100; limit 10%)');
    await cancel(h.pool, runId);
    expect(Object.values(await directorySnapshot(h.pool)).every((u) => u.active)).toBe(true);
  });

  it('refuses a stale preview: the directory changed after the hold, so the run is held again', async () => {
    const runId = await createRunningRun(h, { _control: simpleControl, users: people(80) });
    expect(await processRun(deps(), runId)).toBe('held');
    const preview = (await runRow(h.pool, runId)).plan_digest;
    // lookup-service's SetErrorState: u1 will now be re-applied, so the plan differs.
    await h.pool.query(`UPDATE directory."user" SET error = true WHERE username = 'u1'`);
    await approve(h.pool, runId);
    expect(await processRun(deps(), runId)).toBe('held');
    const run = await runRow(h.pool, runId);
    expect(run.hold_detail).toBe('directory changed since preview; would block 20 users (20% of 100; limit 10%)');
    expect(run.plan_digest).not.toBe(preview);
    expect((await directorySnapshot(h.pool)).u90!.active).toBe(true);

    // Approving the new preview applies exactly it.
    await approve(h.pool, runId);
    expect(await processRun(deps(), runId)).toBe('complete');
    const after = await runRow(h.pool, runId);
    expect(after.counts).toMatchObject({ blocked: 20, updated: 1, unchanged: 79 });
    expect((await directorySnapshot(h.pool)).u90!.active).toBe(false);
  });
});

describe('failures', () => {
  it('fails a run with corrupt JSON, applies nothing and publishes sync.run.failed', async () => {
    const before = await directorySnapshot(h.pool);
    const runId = await createRunningRun(h, {
      _control: simpleControl,
      users: JSON.stringify(people(80)).slice(0, -40),
    });
    expect(await processRun(deps(), runId)).toBe('failed');
    const run = await runRow(h.pool, runId);
    expect(run.status).toBe('failure');
    expect(run.failure_message).toMatch(/Error reading file users/);
    expect((await logText(h.pool, runId))[1]).toMatch(
      /^EXCEPTION: Error during sync: Error reading file users.*File: users/,
    );
    expect(await directorySnapshot(h.pool)).toEqual(before);
    expect((await outboxSubjects(h.pool)).at(-1)).toBe('sync.run.failed');
  });

  it('fails a run whose control file is invalid at apply time', async () => {
    const runId = await createRunningRun(h, { _control: { ...simpleControl, model: 'other' }, users: people(80) });
    expect(await processRun(deps(), runId)).toBe('failed');
    const lines = await logText(h.pool, runId);
    expect(lines[1]).toBe('EXCEPTION: Error during sync: Errors in control file:');
    expect(lines[2]).toBe('  $.model: model property in control file must be set to "haplo:user-sync"');
  });

  it('fails a run whose file is missing from the object store', async () => {
    const control = await createRunningRun(h, { _control: simpleControl, users: [] });
    await cancelRunning(control);
    const { rows } = await h.pool.query(
      `SELECT digest, size FROM runs.run_file WHERE run_id = $1 AND name = '_control'`,
      [control],
    );
    const runId = await insertRun(h.pool, [
      { name: '_control', digest: rows[0].digest, size: Number(rows[0].size) },
      { name: 'users', digest: 'f'.repeat(64), size: 10 },
    ]);
    expect(await processRun(deps(), runId)).toBe('failed');
    expect((await runRow(h.pool, runId)).status).toBe('failure');
  });

  it('rolls back everything when the run is marked cancelled mid-apply', async () => {
    const before = await directorySnapshot(h.pool);
    const events = await outboxSubjects(h.pool);
    const runId = await createRunningRun(h, { _control: simpleControl, users: people(3000) });
    // Hold the apply at its history insert (after users were written) until the cancel is committed.
    const blocker = await h.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE directory.history IN EXCLUSIVE MODE');
    const running = processRun(deps(), runId);
    await waitFor(async () => {
      const { rows } = await h.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%directory.history%'`,
      );
      return rows.length > 0;
    });
    await transitionRun(h.pool, runId, 'forceCancel', { cancelledBy: { kind: 'admin', id: '1', displayName: 'Ada' } });
    await blocker.query('COMMIT');
    blocker.release();
    expect(await running).toBe('cancelled');
    expect((await runRow(h.pool, runId)).status).toBe('cancelled');
    expect(await directorySnapshot(h.pool)).toEqual(before);
    expect(await outboxSubjects(h.pool)).toEqual(events);
    expect(await logText(h.pool, runId)).toContain(
      'Cancelled while running (Unsafe mark cancelled): rolled back, nothing was applied',
    );
  });
});

async function cancelRunning(runId: number) {
  await transitionRun(h.pool, runId, 'forceCancel', { cancelledBy: { kind: 'admin', id: '1', displayName: 'Ada' } });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
