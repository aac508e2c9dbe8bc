/**
 * Deciding on a held run in the portal (issue 16): the Apply confirm page offers the whole plan or its safe
 * part minus named users, needs a reason for a part, and the run page then says what was approved; a
 * follow-up run names the run it continues. Outcomes read as what happened.
 */
import { describe, expect, it } from 'vitest';
import { getRun, openRemainderRun } from '@usersync/run-state';
import { holdWithPlan, readyRun, type RunsEnv } from '../runs-env.js';
import { useSignedInRunsEnv, type AdminRequests } from '../portal-requests.js';

let env: RunsEnv;
let admin: AdminRequests;
const plan = { created: ['ann', 'bob'], updated: ['carl'], blocked: ['dora', 'dan'], unchanged: 10 };

useSignedInRunsEnv((e, a) => {
  env = e;
  admin = a;
});

describe('applying a held run in part', () => {
  it('offers the safe part on the confirm page and records the scope and reason', async () => {
    const id = await readyRun(env);
    await holdWithPlan(env, id, plan);
    const confirm = await admin.get(`/runs/${id}/actions/apply`);
    expect(confirm.body).toContain('data-testid="apply-scope"');
    expect(confirm.body).toContain('keep every block held for a later decision');

    const noReason = await admin.post(`/runs/${id}/actions/apply`, { part: 'safe', exclude: '', reason: '' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('say why only part of the plan is applied now');
    expect((await getRun(env.runsDb, id)).status).toBe('held');

    const res = await admin.post(`/runs/${id}/actions/apply`, {
      part: 'safe',
      exclude: 'bob\r\n\r\n  carl \r\n',
      reason: 'leavers wait for HR',
    });
    expect(res.statusCode).toBe(303);
    const run = await getRun(env.runsDb, id);
    expect(run.status).toBe('running');
    expect(run.approvedScope).toEqual({
      actions: ['create', 'update', 'reactivate'],
      excludedUsernames: ['bob', 'carl'],
      reason: 'leavers wait for HR',
    });
    const page = await admin.get(`/runs/${id}`);
    expect(page.body).toContain('creates, updates, reactivates only; 2 users left out (bob, carl)');
    const audit = (await admin.auditActions()).filter((a) => a.action === 'run.apply');
    expect(audit.at(-1)).toMatchObject({ target: `run:${id}`, actor: { displayName: 'Ada Admin' } });
  });

  it('applies the whole plan by default, and names the run a follow-up continues', async () => {
    const id = await readyRun(env);
    await holdWithPlan(env, id, plan);
    expect((await admin.post(`/runs/${id}/actions/apply`, { part: 'all', exclude: '', reason: '' })).statusCode).toBe(
      303,
    );
    expect((await getRun(env.runsDb, id)).approvedScope).toBeNull();

    await env.runsDb.query(`UPDATE runs.run SET status = 'complete', finished_at = now() WHERE id = $1`, [id]);
    const followUp = await openRemainderRun(env.runsDb, await getRun(env.runsDb, id), '2 planned changes kept back');
    const page = await admin.get(`/runs/${followUp}`);
    expect(page.body).toContain(`The rest of <a href="/runs/${id}">sync run ${id}</a>`);
    expect(page.body).toContain('This is the rest of a run an admin applied in part');
    expect(page.body).toContain('the apply worker is planning this run');
  });
});

describe('outcomes', () => {
  it('says complete with errors, failed (nothing applied), and cancelled by whom and why', async () => {
    const id = await readyRun(env);
    const badge = async () =>
      /data-testid="run-status" data-status="[a-z]+">([^<]+)</.exec((await admin.get(`/runs/${id}`)).body)?.[1];
    await env.runsDb.query(
      `UPDATE runs.run SET status = 'complete', finished_at = now(), error_count = 3 WHERE id = $1`,
      [id],
    );
    expect(await badge()).toBe('Complete with errors');
    await env.runsDb.query(`UPDATE runs.run SET status = 'failure', failure_message = 'bad file' WHERE id = $1`, [id]);
    expect(await badge()).toBe('Failed (nothing applied)');
    const failed = (await admin.get(`/runs/${id}`)).body;
    expect(failed).toContain('rolled back, nothing of it was applied');
    expect(failed).not.toContain('Applied by');
    await env.runsDb.query(
      `UPDATE runs.run SET status = 'cancelled', cancelled_by = '{"kind":"admin","id":"9","displayName":"Bea"}',
         cancel_reason = 'wrong file' WHERE id = $1`,
      [id],
    );
    expect(await badge()).toBe('Cancelled');
    expect((await admin.get(`/runs/${id}`)).body).toMatch(/by Bea: wrong file/);
  });
});
