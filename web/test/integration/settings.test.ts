/**
 * The settings pages through app.inject() against a real ingest-gateway: configuration (field errors,
 * profile schema lines), control file upload with its validation errors, manual upload into the run.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getRun } from '@usersync/run-state';
import { cancelOpenRuns, controlFile, newestRunId, readyRun, usersFile, type RunsEnv } from '../runs-env.js';
import { SCIM_CONTROL_FILE } from '../../../services/ingest-gateway/src/domain/scim-snapshot.js';
import { useSignedInRunsEnv, type AdminRequests } from '../portal-requests.js';

let env: RunsEnv;
let admin: AdminRequests;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const get: AdminRequests['get'] = (url, headers) => admin.get(url, headers);
const post: AdminRequests['post'] = (url, fields) => admin.post(url, fields);

useSignedInRunsEnv((e, a) => {
  env = e;
  admin = a;
});
const postMultipart: AdminRequests['postMultipart'] = (url, fields) => admin.postMultipart(url, fields);

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
    expect((await admin.auditActions()).some((a) => a.action === 'config.updated')).toBe(true);
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

describe('the recycle bin settings', () => {
  it('saves the grace period, the step after it and the stable key, with a field error for each bad value', async () => {
    const base = { autoApply: 'on', maxBlockPercent: '10', maxBlockCount: '500', supersedeHeldRuns: 'on' };
    const form = await get('/config');
    expect(form.body).toContain('<legend>Recycle bin</legend>');
    expect(form.body).toMatch(/id="recycleGraceDays"[^>]*value="30"/);
    const bad = await post('/config', {
      ...base,
      recycleGraceDays: 'soon',
      recycleAfterGrace: 'purge',
      recycleStableKey: 'externalId',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/data-testid="error-recycleGraceDays">Grace period must be a number of days/);
    expect(bad.body).toMatch(/data-testid="error-recycleAfterGrace">After the grace period must be keep, anonymise/);
    expect(bad.body).toMatch(/data-testid="error-recycleStableKey">Stable key must be &quot;profile.&lt;attribute/);
    const tooLong = await post('/config', { ...base, recycleGraceDays: '4000', recycleAfterGrace: 'keep' });
    expect(tooLong.body).toMatch(/data-testid="error-recycleGraceDays">Grace period must be a whole number of days/);

    const good = await post('/config', {
      ...base,
      recycleGraceDays: '14',
      recycleAfterGrace: 'delete',
      recycleStableKey: 'tags.externalId',
    });
    expect(good.statusCode).toBe(303);
    const saved = await get('/config?saved=1');
    expect(saved.body).toMatch(/id="recycleGraceDays"[^>]*value="14"/);
    expect(saved.body).toMatch(/<option value="delete" selected>/);
    expect(saved.body).toMatch(/id="recycleStableKey"[^>]*value="tags.externalId"/);
    const { rows } = await env.runsDb.query('SELECT config FROM runs.sync_config');
    expect(rows[0].config).toMatchObject({
      recycleGraceDays: 14,
      recycleAfterGrace: 'delete',
      recycleStableKey: 'tags.externalId',
    });
    // Back to the defaults the other tests expect.
    expect((await post('/config', { ...base, recycleGraceDays: '30', recycleAfterGrace: 'keep' })).statusCode).toBe(
      303,
    );
  });
});

describe('control file', () => {
  it('requires a reason, lists every validation error with its path, and records an upload', async () => {
    const noReason = await postMultipart('/control-file/upload', [
      ['_csrf', admin.csrf],
      ['reason', ''],
      ['file', controlFile(['staff']), 'c.json'],
    ]);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Give a reason');
    const invalid = await postMultipart('/control-file/upload', [
      ['_csrf', admin.csrf],
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
      ['_csrf', admin.csrf],
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
    expect((await admin.auditActions()).some((a) => a.action === 'control_file.uploaded')).toBe(true);
    // Back to the single-file control file the other tests use.
    await postMultipart('/control-file/upload', [
      ['_csrf', admin.csrf],
      ['reason', 'reset'],
      ['file', controlFile(['users']), 'c.json'],
    ]);
    await cancelOpenRuns(env);
  });
});

describe('the SCIM source control file', () => {
  it("shows the built-in mapping until one is uploaded, checks its shape, and keeps the file feed's apart", async () => {
    const none = await get('/control-file?source=scim');
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('data-testid="scim-built-in"');
    expect(none.body).toContain('Built-in SCIM mapping (in use)');
    expect(none.body).toContain('&quot;name&quot;: &quot;scimId&quot;');
    expect(none.body).toContain('None uploaded yet: the built-in mapping is in use.');
    expect(none.body).toContain('href="/control-file/upload?source=scim"');
    const form = await get('/control-file/upload?source=scim');
    expect(form.body).toContain('<input type="hidden" name="source" value="scim">');

    const wrongShape = await postMultipart('/control-file/upload', [
      ['_csrf', admin.csrf],
      ['source', 'scim'],
      ['reason', 'try'],
      ['file', controlFile(['staff']), 'c.json'],
    ]);
    expect(wrongShape.statusCode).toBe(400);
    expect(wrongShape.body).toMatch(
      /<code>files<\/code>: A SCIM source control file reads one file, &quot;users&quot;/,
    );
    expect(wrongShape.body).toContain('<input type="hidden" name="source" value="scim">');

    const content = JSON.stringify(SCIM_CONTROL_FILE);
    const ok = await postMultipart('/control-file/upload', [
      ['_csrf', admin.csrf],
      ['source', 'scim'],
      ['reason', 'Our own SCIM mapping'],
      ['file', content, 'scim.json'],
    ]);
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/control-file?source=scim&uploaded=1');
    const page = await get('/control-file?source=scim&uploaded=1');
    expect(page.body).toContain('The new SCIM source control file is now current');
    expect(page.body).toContain('Our own SCIM mapping');
    expect(page.body).toContain(`href="/control-file?digest=${sha256(content)}&amp;source=scim"`);
    expect(page.body).toMatch(/<a href="\/control-file\?source=scim" aria-current="true">SCIM source<\/a>/);

    const file = await get('/control-file');
    expect(file.body).not.toContain('Our own SCIM mapping');
    expect(file.body).toContain('<li><code>users</code></li>');
    // A version's link shows it with its own source's history, whatever the query says.
    const version = await get(`/control-file?digest=${sha256(content)}`);
    expect(version.body).toContain('Our own SCIM mapping');
    expect(version.body).toMatch(/<a href="\/control-file\?source=scim" aria-current="true">/);
    const audit = await admin.auditActions();
    expect(audit.some((a) => a.action === 'control_file.uploaded')).toBe(true);
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
      ['_csrf', admin.csrf],
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
      ['_csrf', admin.csrf],
      ['name', 'nope'],
      ['file', 'x', 'x.json'],
    ]);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('data-testid="upload-error"');
    const actions = (await admin.auditActions()).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['run_file.uploaded', 'run_file.reused']));
  });
});
