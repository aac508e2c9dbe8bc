/**
 * The run pages through app.inject() against a real ingest-gateway (PostgreSQL, NATS, S3,
 * key-service): dashboard paging, run page, actions with confirm steps and audit, plan preview,
 * log viewer and download, file downloads, live progress. Settings pages: settings.test.ts.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getRun, writeRunProgress } from '@usersync/run-state';
import {
  cancelOpenRuns,
  holdWithPlan,
  newestRunId,
  readyRun,
  startSync,
  usersFile,
  type RunsEnv,
} from '../runs-env.js';
import { useSignedInRunsEnv, type AdminRequests } from '../portal-requests.js';
import { form } from '../support.js';

let env: RunsEnv;
let admin: AdminRequests;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const get: AdminRequests['get'] = (url, headers) => admin.get(url, headers);
const post: AdminRequests['post'] = (url, fields) => admin.post(url, fields);

useSignedInRunsEnv((e, a) => {
  env = e;
  admin = a;
});

describe('dashboard', () => {
  it('lists runs newest first, 10 per page, with Older and Newer', async () => {
    for (let i = 0; i < 11; i++) {
      await readyRun(env);
      await cancelOpenRuns(env);
    }
    const newest = await newestRunId(env.runsDb);
    const first = await get('/');
    expect(first.statusCode).toBe(200);
    const ids = [...first.body.matchAll(/data-run-id="(\d+)"/g)].map((m) => Number(m[1]));
    expect(ids).toHaveLength(10);
    expect(ids[0]).toBe(newest);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(first.body).toContain(`href="/runs/${newest}"`);
    expect(first.body).toContain('View…');
    expect(first.body).toContain('Edit configuration…');
    expect(first.body).toContain('Create API key…');
    const older = /href="(\/\?page=[^"]+)" rel="next">Older runs/.exec(first.body)![1]!;
    const second = await get(older.replace(/&amp;/g, '&'));
    const ids2 = [...second.body.matchAll(/data-run-id="(\d+)"/g)].map((m) => Number(m[1]));
    expect(ids2[0]).toBe(ids[9]! - 1);
    expect(second.body).toContain('Newer runs');
  });
});

describe('run page', () => {
  it('shows details, hold reason, files with digests, and only the allowed actions', async () => {
    const users = usersFile(3);
    const id = await readyRun(env, users);
    await startSync(env.gateway); // held by start-sync: the first run, or files too different
    const res = await get(`/runs/${id}`);
    expect(res.statusCode).toBe(200);
    const run = await getRun(env.runsDb, id);
    expect(res.body).toContain(`Sync run ${id}`);
    expect(res.body).toContain(`data-testid="run-status" data-status="${run.status}">Held for an admin<`);
    // Nobody approves it before the worker stored its plan: the page says it is being planned.
    expect(res.body).toContain('the apply worker is planning this run');
    const confirm = await get(`/runs/${id}/actions/apply`);
    expect(confirm.body).toContain('data-testid="plan-pending"');
    expect(confirm.body).not.toContain('data-testid="confirm-form"');
    expect((await post(`/runs/${id}/actions/apply`, {})).statusCode).toBe(409);
    expect(res.body).toContain(sha256(users));
    expect(res.body).toContain(`/runs/${id}/files/users`);
    expect(res.body).toContain(`/runs/${id}/files/_control`);
    expect(res.body).toContain(`/runs/${id}/actions/cancel`);
    expect(res.body).not.toContain(`/runs/${id}/actions/reapply`);
    expect(res.body).not.toContain(`/runs/${id}/actions/force-cancel`);
    if (run.holdReason) expect(res.body).toContain('apply it by hand');
  });

  it('streams a file download with Content-Disposition and the exact bytes', async () => {
    const users = usersFile(50, 'dl');
    const id = await readyRun(env, users);
    const res = await get(`/runs/${id}/files/users`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('attachment; filename="users.json"');
    expect(sha256(res.rawPayload)).toBe(sha256(users));
    expect((await get(`/runs/${id}/files/nope`)).statusCode).toBe(404);
    expect((await get(`/runs/abc`)).statusCode).toBe(404);
  });

  it('cancels a run through its confirm page, audited with the admin as actor', async () => {
    const id = await readyRun(env);
    const confirm = await get(`/runs/${id}/actions/cancel`);
    expect(confirm.body).toContain(`Marks sync run ${id} cancelled. Nothing of it is applied`);
    const refused = await env.portal.app.inject({
      method: 'POST',
      url: `/runs/${id}/actions/cancel`,
      cookies: admin.cookies,
      ...form({ reason: 'x' }),
    });
    expect(refused.statusCode).toBe(403);
    expect((await getRun(env.runsDb, id)).status).toBe('ready');
    const res = await post(`/runs/${id}/actions/cancel`, { reason: 'testing' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/runs/${id}`);
    const run = await getRun(env.runsDb, id);
    expect(run.status).toBe('cancelled');
    expect(run.cancelledBy?.displayName).toBe('Ada Admin');
    const audit = (await admin.auditActions()).filter((a) => a.action === 'run.cancel');
    expect(audit.at(-1)).toMatchObject({ target: `run:${id}`, actor: { displayName: 'Ada Admin' } });
    // A second cancel is refused by RunService and changes nothing.
    const again = await post(`/runs/${id}/actions/cancel`, {});
    expect(again.statusCode).toBe(409);
  });

  it('previews a held plan, says what Apply does, applies it and polls progress until finished', async () => {
    const id = await readyRun(env);
    await holdWithPlan(
      env,
      id,
      { created: ['ann', 'bob'], updated: ['carl'], blocked: ['dora', 'dan'], unchanged: 1204 },
      [
        { level: 'info', username: null, text: 'START: sync' },
        { level: 'info', username: 'ann', text: 'create ann' },
        { level: 'error', username: 'bob', text: 'ERROR: record 2 user bob: bad email' },
        { level: 'info', username: null, text: 'END: sync' },
      ],
    );
    const page = await get(`/runs/${id}`);
    expect(page.body).toContain('This run would block more users than the configured limit.');
    expect(page.body).toContain('would block 2 users');
    expect(page.body).toContain('Plan preview');
    expect(page.body).toContain('ERROR: record 2 user bob: bad email');

    const blocks = await get(`/runs/${id}/plan?action=block`, { 'hx-request': 'true' });
    expect(blocks.body).toContain('dora');
    expect(blocks.body).not.toContain('>ann<');
    expect(blocks.body).not.toContain('<html');
    const search = await get(`/runs/${id}/plan?q=c`);
    expect(search.body).toContain('>carl<');
    expect(search.body).not.toContain('>bob<');
    expect(search.body).toContain('&quot;Old&quot;');

    const errors = await get(`/runs/${id}/log?level=error`);
    expect(errors.body).toContain('bad email');
    expect(errors.body).not.toContain('START: sync');
    const ann = await get(`/runs/${id}/log?username=ANN`);
    expect(ann.body).toContain('create ann');
    expect(ann.body).not.toContain('END: sync');
    const txt = await get(`/runs/${id}/log.txt`);
    expect(txt.headers['content-type']).toContain('text/plain');
    expect(txt.body).toBe('START: sync\ncreate ann\nERROR: record 2 user bob: bad email\nEND: sync\n');

    const confirm = await get(`/runs/${id}/actions/apply`);
    expect(confirm.body).toContain('It creates 2, updates 1, reactivates 0, blocks 2 users');
    expect(confirm.body).toContain('(1,204 unchanged)');
    // The preview it promises is on the confirm page, outside the confirm form.
    expect(confirm.body).toContain('data-testid="confirm-preview"');
    expect(confirm.body.slice(confirm.body.indexOf('confirm-preview'))).toContain('>dora<');
    const applied = await post(`/runs/${id}/actions/apply`, {});
    expect(applied.statusCode).toBe(303);
    const run = await getRun(env.runsDb, id);
    expect(run.status).toBe('running');
    expect(run.approvedBy?.displayName).toBe('Ada Admin');

    const running = await get(`/runs/${id}`);
    expect(running.body).toContain('hx-trigger="load delay:1s"');
    expect(running.body).toContain(`/runs/${id}/actions/force-cancel`);
    const poll = await get(`/runs/${id}/progress`, { 'hx-request': 'true' });
    expect(poll.body).toContain('hx-trigger="load delay:1s"');
    expect(poll.body).toContain('waiting for the apply worker');
    expect(poll.headers['hx-refresh']).toBeUndefined();
    // The run's progress, as the worker writes it (through run-state) while applying.
    await writeRunProgress(env.runsDb, id, 'apply', 1500);
    const live = await get(`/runs/${id}/progress`, { 'hx-request': 'true' });
    expect(live.body).toContain('<strong>Applying</strong>: 1,500 records · elapsed');
    expect(live.body).toContain('hx-trigger="load delay:1s"');
    await env.runsDb.query(`UPDATE runs.run SET status = 'complete', finished_at = now() WHERE id = $1`, [id]);
    const done = await get(`/runs/${id}/progress`, { 'hx-request': 'true' });
    expect(done.body).not.toContain('hx-trigger');
    expect(done.headers['hx-refresh']).toBe('true');
  });

  it('re-applies a complete run and goes to the new run', async () => {
    const id = await readyRun(env);
    await env.runsDb.query(`UPDATE runs.run SET status = 'complete', finished_at = now() WHERE id = $1`, [id]);
    const confirm = await get(`/runs/${id}/actions/reapply`);
    expect(confirm.body).toContain(`copies of run ${id}&#39;s 2 files`);
    const res = await post(`/runs/${id}/actions/reapply`, {});
    expect(res.statusCode).toBe(303);
    const newId = await newestRunId(env.runsDb);
    expect(newId).toBeGreaterThan(id);
    expect(res.headers.location).toBe(`/runs/${newId}`);
    expect((await getRun(env.runsDb, newId)).reappliedFrom).toBe(id);
    await cancelOpenRuns(env);
  });
});
