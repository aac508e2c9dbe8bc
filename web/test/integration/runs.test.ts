/**
 * The run pages through app.inject() against a real ingest-gateway (PostgreSQL, NATS, S3,
 * key-service): dashboard paging, run page, actions with confirm steps and audit, plan preview,
 * log viewer and download, file downloads, live progress, configuration, control file, manual upload.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getRun, writeRunProgress } from '@usersync/run-state';
import {
  cancelOpenRuns,
  controlFile,
  holdWithPlan,
  newestRunId,
  readyRun,
  startRunsEnv,
  startSync,
  usersFile,
  type RunsEnv,
} from '../runs-env.js';
import { form, signIn } from '../support.js';

let env: RunsEnv;
let cookies: Record<string, string>;
let csrf: string;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

const get = (url: string, headers: Record<string, string> = {}) =>
  env.portal.app.inject({ method: 'GET', url, cookies, headers });
const post = (url: string, fields: Record<string, string>) => {
  const body = form({ _csrf: csrf, ...fields });
  return env.portal.app.inject({ method: 'POST', url, cookies, headers: body.headers, payload: body.payload });
};
/** A multipart POST as a browser sends it (`_csrf` first). */
async function postMultipart(url: string, fields: Array<[string, string] | [string, string, string]>) {
  const fd = new FormData();
  for (const [name, value, filename] of fields) {
    if (filename !== undefined) fd.append(name, new Blob([value]), filename);
    else fd.append(name, value);
  }
  const res = new Response(fd);
  return env.portal.app.inject({
    method: 'POST',
    url,
    cookies,
    headers: { 'content-type': res.headers.get('content-type')! },
    payload: Buffer.from(await res.arrayBuffer()),
  });
}
async function auditActions(): Promise<Array<{ action: string; target: string; actor: { displayName: string } }>> {
  const { rows } = await env.portal.pool.query('SELECT action, target, actor FROM admin.audit ORDER BY id');
  return rows as Array<{ action: string; target: string; actor: { displayName: string } }>;
}

beforeAll(async () => {
  env = await startRunsEnv();
  ({ cookies, csrf } = await signIn(env.portal.app));
}, 120_000);
afterAll(async () => {
  await env?.stop();
});
beforeEach(async () => {
  await cancelOpenRuns(env);
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
    await startSync(env.gateway); // held: auto-apply on, but the first run is held... or files too different
    const res = await get(`/runs/${id}`);
    expect(res.statusCode).toBe(200);
    const run = await getRun(env.runsDb, id);
    expect(res.body).toContain(`Sync run ${id}`);
    expect(res.body).toContain(`data-testid="run-status">${run.status}<`);
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
      cookies,
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
    const audit = (await auditActions()).filter((a) => a.action === 'run.cancel');
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
    expect(live.body).toContain('Phase <strong>apply</strong>: 1,500 records processed');
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

describe('configuration', () => {
  it('shows field errors next to the fields, keeps the values, then saves', async () => {
    const page = await get('/config');
    expect(page.body).toContain('Force update of all records');
    expect(page.body).toContain('much slower');
    const bad = await post('/config', {
      autoApply: 'on',
      reportEmails: 'ok@example.org, not-an-email',
      maxBlockPercent: '150',
      maxBlockCount: 'lots',
      managedGroups: 'staff: Staff\nno colon here',
      reportEndpoint: '',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('data-testid="error-maxBlockCount"');
    expect(bad.body).toContain('data-testid="error-managedGroups"');
    expect(bad.body).toContain('value="ok@example.org, not-an-email"');
    const bad2 = await post('/config', { reportEmails: 'not-an-email', maxBlockPercent: '150', maxBlockCount: '5' });
    expect(bad2.statusCode).toBe(400);
    expect(bad2.body).toMatch(/data-testid="error-reportEmails">[^<]*not-an-email/);
    expect(bad2.body).toContain('Maximum block percentage must be between 0 and 100');
    const good = await post('/config', {
      reportEmails: 'a@example.org, b@example.org',
      maxBlockPercent: '20',
      maxBlockCount: '',
      supersedeHeldRuns: 'on',
      managedGroups: 'staff: All staff',
    });
    expect(good.statusCode).toBe(303);
    const saved = await get('/config?saved=1');
    expect(saved.body).toContain('Configuration saved');
    expect(saved.body).toContain('value="a@example.org, b@example.org"');
    expect(saved.body).toContain('staff: All staff');
    const { rows } = await env.runsDb.query<{ n: number }>('SELECT count(*)::int AS n FROM runs.sync_config');
    expect(rows[0]!.n).toBe(1);
    expect((await auditActions()).some((a) => a.action === 'config.updated')).toBe(true);
    const home = await get('/');
    expect(home.body).toContain('a@example.org, b@example.org');
    // Restore auto-apply for the other tests.
    await post('/config', { autoApply: 'on', maxBlockPercent: '10', maxBlockCount: '500', supersedeHeldRuns: 'on' });
  });

  it('edits the profile schema as lines, naming the line of every problem', async () => {
    const base = { autoApply: 'on', maxBlockPercent: '10', maxBlockCount: '500', supersedeHeldRuns: 'on' };
    const unreadable = await post('/config', {
      ...base,
      profileAttributes: 'department | Department | code\njust a code',
    });
    expect(unreadable.statusCode).toBe(400);
    expect(unreadable.body).toMatch(/data-testid="error-profileAttributes">Line 2: write the attribute as/);
    const invalid = await post('/config', {
      ...base,
      profileAttributes: 'department | Department | code\n\nbadge | Badge | colour\ndepartment | Again | text',
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('Line 3: Unknown attribute type: colour');
    expect(invalid.body).toContain('Line 4: Duplicate attribute code: department');
    expect(invalid.body).toContain('badge | Badge | colour');
    const good = await post('/config', {
      ...base,
      profileAttributes: 'department | Department | code\nphone | Phone | telephone-number | multivalue',
    });
    expect(good.statusCode).toBe(303);
    const saved = await get('/config?saved=1');
    expect(saved.body).toContain('phone | Phone | telephone-number | multivalue');
    const { rows } = await env.runsDb.query<{ config: { profileAttributes: unknown } }>(
      'SELECT config FROM runs.sync_config',
    );
    expect(rows[0]!.config.profileAttributes).toEqual([
      { code: 'department', label: 'Department', type: 'code', multivalue: false },
      { code: 'phone', label: 'Phone', type: 'telephone-number', multivalue: true },
    ]);
    // Empty again: the built-in schema, which the other tests' control files use.
    expect((await post('/config', base)).statusCode).toBe(303);
    expect((await env.runsDb.query('SELECT config FROM runs.sync_config')).rows[0].config.profileAttributes).toEqual(
      [],
    );
  });
});

describe('control file', () => {
  it('requires a reason, lists every validation error with its path, and records an upload', async () => {
    const noReason = await postMultipart('/control-file/upload', [
      ['_csrf', csrf],
      ['reason', ''],
      ['file', controlFile(['staff']), 'c.json'],
    ]);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Give a reason');
    const invalid = await postMultipart('/control-file/upload', [
      ['_csrf', csrf],
      ['reason', 'try'],
      ['file', JSON.stringify({ files: 3, instructions: 'x' }), 'c.json'],
    ]);
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toMatch(/<code>\$[^<]*<\/code>:/);
    const noCsrf = await postMultipart('/control-file/upload', [
      ['reason', 'x'],
      ['file', controlFile(['staff']), 'c.json'],
    ]);
    expect(noCsrf.statusCode).toBe(403);
    const ok = await postMultipart('/control-file/upload', [
      ['_csrf', csrf],
      ['reason', 'Add <staff> feed'],
      ['file', controlFile(['staff', 'students']), 'c.json'],
    ]);
    expect(ok.statusCode).toBe(303);
    const page = await get('/control-file');
    expect(page.body).toContain('<li><code>students</code></li>');
    expect(page.body).toContain('Add &lt;staff&gt; feed');
    expect(page.body).toContain('&quot;dataImportControlFileVersion&quot;: 0');
    const digest = sha256(controlFile(['staff', 'students']));
    expect(page.body).toContain(`${digest.slice(0, 10)}…`);
    expect(page.body).toContain('Ada Admin');
    expect((await auditActions()).some((a) => a.action === 'control_file.uploaded')).toBe(true);
    // Back to the single-file control file the other tests use.
    await postMultipart('/control-file/upload', [
      ['_csrf', csrf],
      ['reason', 'reset'],
      ['file', controlFile(['users']), 'c.json'],
    ]);
    await cancelOpenRuns(env);
  });
});

describe('manual upload', () => {
  it('uploads into the current run and reuses a file of the last applied run', async () => {
    const users = usersFile(7, 'm');
    const id = await readyRun(env, users);
    await env.runsDb.query(`UPDATE runs.run SET status = 'complete', finished_at = now() WHERE id = $1`, [id]);
    const page = await get('/uploads');
    expect(page.body).toContain('Files from previous syncs');
    expect(page.body).toContain('Use this file');

    const control = controlFile(['users']);
    const up = await postMultipart('/uploads', [
      ['_csrf', csrf],
      ['name', '_control'],
      ['file', control, 'control.json'],
    ]);
    expect(up.statusCode).toBe(303);
    const current = await newestRunId(env.runsDb);
    expect(current).toBeGreaterThan(id);
    const reuse = await post('/uploads/reuse', { runId: String(id), name: 'users' });
    expect(reuse.statusCode).toBe(303);
    const { rows } = await env.runsDb.query<{ name: string; digest: string }>(
      'SELECT name, digest FROM runs.run_file WHERE run_id = $1 ORDER BY name',
      [current],
    );
    expect(rows.find((r) => r.name === 'users')?.digest).toBe(sha256(users));
    expect((await getRun(env.runsDb, current)).status).toBe('ready');
    const after = await get('/uploads');
    expect(after.body).toContain(`Sync run ${current}</a> is <strong data-testid="current-status">ready`);
    const bad = await postMultipart('/uploads', [
      ['_csrf', csrf],
      ['name', 'nope'],
      ['file', 'x', 'x.json'],
    ]);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('data-testid="upload-error"');
    const actions = (await auditActions()).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['run_file.uploaded', 'run_file.reused']));
  });
});
