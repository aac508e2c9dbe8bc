/**
 * RunService UndoRun (issue 18): opens a held compensating run of a complete run, asks the worker for its
 * plan, audits it; refuses what cannot be undone with a reason; asking again with included users replaces
 * the held undo.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commonV1, runsV1 } from '@usersync/contracts';
import { ADMIN, startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { cancelOpenRuns, outboxSubjects } from '../support/fixtures.js';
import { callRunService, readyRun } from '../support/run-service-calls.js';

let env: GatewayEnv;
const call = <T>(method: string, req: unknown) => callRunService<T>(env, method, req);
const S = runsV1.RunStatus;

beforeAll(async () => {
  env = await startGatewayEnv();
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(async () => {
  await cancelOpenRuns(env);
});

/** A run that the worker completed (its status set as the worker would). */
async function completeRun(): Promise<number> {
  const id = await readyRun(env);
  await env.pool.query(`UPDATE runs.run SET status = 'complete', finished_at = now() WHERE id = $1`, [id]);
  return id;
}

describe('UndoRun', () => {
  it('opens a held undo without a plan, queued for planning, audited with the reason', async () => {
    const target = await completeRun();
    const res = await call<runsV1.UndoRunResponse>('undoRun', { runId: target, actor: ADMIN, reason: 'bad filter' });
    const run = res.run!;
    expect(run).toMatchObject({
      status: S.RUN_STATUS_HELD,
      holdReason: commonV1.HoldReason.HOLD_REASON_UNDO,
      hasPlan: false,
      files: [],
    });
    expect(run.undo).toEqual({
      undoOfRunId: target,
      includedUsernames: [],
      skipped: [],
      skippedCount: 0,
      plannedDeletes: 0,
      appliedDeletes: 0,
    });
    expect(run.holdDetail).toBe(`restores what run ${target} changed`);
    expect((await outboxSubjects(env)).at(-1)).toBe('sync.run.queued');
    const audit = await env.pool.query(`SELECT action, detail FROM runs.run_audit WHERE run_id = $1`, [run.id]);
    expect(audit.rows).toEqual([{ action: 'undo', detail: { undoOf: target, included: 0, reason: 'bad filter' } }]);
    // Nobody approves it blind: ApplyRun waits for the worker's plan.
    await expect(call('applyRun', { runId: run.id, actor: ADMIN })).rejects.toThrow(/still being planned/);
  });

  it('asking again with included users replaces the held undo', async () => {
    const target = await completeRun();
    const first = (await call<runsV1.UndoRunResponse>('undoRun', { runId: target, actor: ADMIN })).run!;
    const second = (
      await call<runsV1.UndoRunResponse>('undoRun', {
        runId: target,
        actor: ADMIN,
        includeUsernames: [' U3 ', 'u1', 'u3'],
      })
    ).run!;
    expect(second.undo!.includedUsernames).toEqual(['u1', 'u3']);
    expect(second.holdDetail).toContain('2 users changed later are included');
    const old = (await call<runsV1.GetRunResponse>('getRun', { runId: first.id })).run!;
    expect(old.status).toBe(S.RUN_STATUS_CANCELLED);
    expect(old.cancelReason).toBe(`replaced by a new undo of run ${target}`);
  });

  it('refuses what cannot be undone, saying why', async () => {
    const open = await readyRun(env);
    await expect(call('undoRun', { runId: open, actor: ADMIN })).rejects.toThrow(
      new RegExp(`Run ${open} is ready: only a complete run can be undone`),
    );
    await cancelOpenRuns(env);
    const target = await completeRun();
    const undo = (await call<runsV1.UndoRunResponse>('undoRun', { runId: target, actor: ADMIN })).run!;
    await env.pool.query(`UPDATE runs.run SET status = 'complete', finished_at = now() WHERE id = $1`, [undo.id]);
    await expect(call('undoRun', { runId: undo.id, actor: ADMIN })).rejects.toThrow(/itself an undo/);
    await expect(call('undoRun', { runId: target, actor: ADMIN })).rejects.toThrow(
      new RegExp(`already has undo run ${undo.id} \\(complete\\)`),
    );
    const other = await completeRun();
    await readyRun(env);
    await expect(call('undoRun', { runId: other, actor: ADMIN })).rejects.toThrow(
      /is (uploading|ready): apply, cancel/,
    );
    await expect(call('undoRun', { runId: 999999, actor: ADMIN })).rejects.toThrow(/does not exist/);
  });
});
