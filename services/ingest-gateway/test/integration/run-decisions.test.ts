/**
 * RunService ApplyRun as a decision (issue 16): a held run is approved only once planned; a partial
 * approval needs a plan and a reason, is checked field by field, is stored on the run and audited with
 * who, why and what was kept back.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commonV1, runsV1 } from '@usersync/contracts';
import { ConflictError, ValidationError } from '@usersync/platform';
import { ADMIN, startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { cancelOpenRuns, outboxSubjects } from '../support/fixtures.js';
import { callRunService, readyRun } from '../support/run-service-calls.js';

let env: GatewayEnv;
const A = commonV1.UserAction;
const call = <T>(method: string, req: unknown) => callRunService<T>(env, method, req);
const getRunOf = async (runId: number) => (await call<runsV1.GetRunResponse>('getRun', { runId })).run!;
const S = runsV1.RunStatus;
const SAFE = { actions: [A.USER_ACTION_CREATE, A.USER_ACTION_UPDATE, A.USER_ACTION_REACTIVATE], excludedUsernames: [] };

beforeAll(async () => {
  env = await startGatewayEnv();
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(async () => {
  await cancelOpenRuns(env);
});

/** A run held by start-sync (the first run) whose plan the worker stored. */
async function heldPlannedRun(): Promise<number> {
  const id = await readyRun(env);
  await fetch(`${env.baseUrl}/api/user-sync/start-sync`, {
    method: 'POST',
    headers: { authorization: env.authHeader },
  });
  await env.pool.query(`UPDATE runs.run SET plan_digest = 'planned-by-the-worker' WHERE id = $1`, [id]);
  return id;
}

describe('ApplyRun of a held run', () => {
  it('applies a held run once planned: running, approved by the actor, queued event, audited', async () => {
    const id = await readyRun(env);
    await fetch(`${env.baseUrl}/api/user-sync/start-sync`, {
      method: 'POST',
      headers: { authorization: env.authHeader },
    });
    const held = await getRunOf(id);
    expect(held).toMatchObject({ status: S.RUN_STATUS_HELD, holdReason: commonV1.HoldReason.HOLD_REASON_FIRST_RUN });
    expect(held.hasPlan).toBe(false);
    // Sent to the worker to be planned, not applied; nobody may approve it blind.
    expect((await outboxSubjects(env)).at(-1)).toBe('sync.run.queued');
    await expect(call('applyRun', { runId: id, actor: ADMIN })).rejects.toThrow(/still being planned/);
    await env.pool.query(`UPDATE runs.run SET plan_digest = 'planned-by-the-worker' WHERE id = $1`, [id]);
    expect((await getRunOf(id)).hasPlan).toBe(true);
    const run = (await call<runsV1.ApplyRunResponse>('applyRun', { runId: id, actor: ADMIN })).run!;
    expect(run).toMatchObject({ status: S.RUN_STATUS_RUNNING, holdReason: 0, approvedBy: ADMIN });
    expect((await outboxSubjects(env)).at(-1)).toBe('sync.run.queued');
    const audit = await env.pool.query(`SELECT action FROM runs.run_audit WHERE run_id = $1 ORDER BY id DESC LIMIT 1`, [
      id,
    ]);
    expect(audit.rows[0].action).toBe('apply');
  });
});

describe('ApplyRun with a scope', () => {
  it('stores the scope on the run, keeps its hold reason for the worker, and audits the decision', async () => {
    const id = await heldPlannedRun();
    const res = await call<runsV1.ApplyRunResponse>('applyRun', {
      runId: id,
      actor: ADMIN,
      scope: { ...SAFE, excludedUsernames: ['u3', ' u3 ', 'u4'] },
      reason: 'blocks wait for HR',
    });
    expect(res.run!.status).toBe(runsV1.RunStatus.RUN_STATUS_RUNNING);
    expect(res.run!.approvedScope).toEqual({ ...SAFE, excludedUsernames: ['u3', 'u4'] });
    const { rows } = await env.pool.query(`SELECT hold_reason, approved_scope FROM runs.run WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({
      hold_reason: 'first_run',
      approved_scope: {
        actions: ['create', 'update', 'reactivate'],
        excludedUsernames: ['u3', 'u4'],
        reason: 'blocks wait for HR',
      },
    });
    const audit = await env.pool.query(
      `SELECT action, actor, detail FROM runs.run_audit WHERE run_id = $1 ORDER BY id DESC LIMIT 1`,
      [id],
    );
    expect(audit.rows[0]).toMatchObject({
      action: 'apply_part',
      actor: { displayName: ADMIN.displayName },
      detail: {
        reason: 'blocks wait for HR',
        heldFor: 'first_run',
        actions: ['create', 'update', 'reactivate'],
        excludedUsernames: 2,
      },
    });
  });

  it('treats a scope that keeps nothing back as a whole approval', async () => {
    const id = await heldPlannedRun();
    const all = [...SAFE.actions, A.USER_ACTION_BLOCK];
    const res = await call<runsV1.ApplyRunResponse>('applyRun', {
      runId: id,
      actor: ADMIN,
      scope: { actions: all, excludedUsernames: [] },
    });
    expect(res.run!.approvedScope).toBeUndefined();
    const audit = await env.pool.query(`SELECT action FROM runs.run_audit WHERE run_id = $1 ORDER BY id DESC LIMIT 1`, [
      id,
    ]);
    expect(audit.rows[0].action).toBe('apply');
  });

  it('refuses a partial approval without a reason, with a bad action or too many users, and of an unplanned run', async () => {
    const id = await heldPlannedRun();
    await expect(call('applyRun', { runId: id, actor: ADMIN, scope: SAFE })).rejects.toThrow(
      /reason: say why only part/,
    );
    await expect(
      call('applyRun', { runId: id, actor: ADMIN, scope: { actions: [A.USER_ACTION_UNCHANGED] }, reason: 'x' }),
    ).rejects.toThrow(/scope\.actions\[0\]: not an action/);
    const many = Array.from({ length: 10_001 }, (_, i) => `u${i}`);
    await expect(
      call('applyRun', { runId: id, actor: ADMIN, scope: { ...SAFE, excludedUsernames: many }, reason: 'x' }),
    ).rejects.toThrow(ValidationError);
    expect((await env.pool.query(`SELECT status FROM runs.run WHERE id = $1`, [id])).rows[0].status).toBe('held');

    await env.pool.query(`UPDATE runs.run SET plan_digest = NULL WHERE id = $1`, [id]);
    await expect(call('applyRun', { runId: id, actor: ADMIN, scope: SAFE, reason: 'x' })).rejects.toThrow(
      /still being planned/,
    );
    await cancelOpenRuns(env);
    const ready = await readyRun(env);
    await expect(call('applyRun', { runId: ready, actor: ADMIN, scope: SAFE, reason: 'x' })).rejects.toThrow(
      ConflictError,
    );
  });
});
