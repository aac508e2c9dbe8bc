/**
 * The configuration form's single round of errors and the audit log (issue 17 items 3 and 4) through
 * app.inject() against a real ingest-gateway (RunService and RunAuditService), key-service and
 * PostgreSQL: readable diffs, script actions by API key name beside admin actions, filters, sign-ins
 * hidden by default, and paging across both sources without gaps or repeats.
 */
import { describe, expect, it } from 'vitest';
import { useSignedInRunsEnv, type AdminRequests } from '../portal-requests.js';
import { readyRun, type RunsEnv } from '../runs-env.js';
import { createHash } from 'node:crypto';
import { ADMIN, cookiesOf, form, signIn, startPortal, submitLogin } from '../support.js';

let env: RunsEnv;
let admin: AdminRequests;
useSignedInRunsEnv((e, a) => {
  env = e;
  admin = a;
});

const rowsOf = (html: string) => [
  ...html.matchAll(/<tr data-testid="audit-row" data-action="([^"]+)" data-source="(\w+)">/g),
];

describe('configuration form', () => {
  it('reports what cannot be read and what breaks the rules in one answer, saving nothing', async () => {
    const before = await admin.get('/config');
    const res = await admin.post('/config', {
      reportEmails: 'ok@example.org, not-an-email',
      maxBlockPercent: '150',
      maxBlockCount: 'lots',
      managedGroups: 'staff: Staff\nno colon here',
    });
    expect(res.statusCode).toBe(400);
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(res.body)![0];
    for (const field of ['reportEmails', 'maxBlockPercent', 'maxBlockCount', 'managedGroups'])
      expect(summary).toContain(`href="#${field}"`);
    expect(summary).toContain('not a valid email address');
    expect(summary).toContain('between 0 and 100');
    expect(res.body).toMatch(
      /<input id="maxBlockCount"[^>]*aria-describedby="maxBlockCount-hint maxBlockCount-error"[^>]*aria-invalid="true"/,
    );
    expect(res.body).toContain('value="lots"');
    const after = await admin.get('/config');
    expect(after.body).toBe(
      before.body.replace(/name="_csrf" value="[^"]*"/, after.body.match(/name="_csrf" value="[^"]*"/)![0]),
    );
  });
});

describe('configuration form after an expired session', () => {
  it('comes back with the changes filled in after sign-in, and saves nothing meanwhile', async () => {
    const app = env.portal.app;
    const old = await signIn(app);
    const id = createHash('sha256').update(old.cookies.usersync_session!).digest('hex');
    await env.portal.pool.query('DELETE FROM admin.session WHERE id = $1', [id]);
    const body = form({
      _csrf: old.csrf,
      maxBlockPercent: '33',
      maxBlockCount: '44',
      managedGroups: 'kept: Kept group',
    });
    const res = await app.inject({
      method: 'POST',
      url: '/config',
      cookies: old.cookies,
      headers: { ...body.headers, referer: 'http://localhost:80/config' },
      payload: body.payload,
    });
    expect(res.headers.location).toBe('/login?next=%2Fconfig');
    const stash = cookiesOf(res)['usersync_form']!;
    expect((await admin.get('/config')).body).not.toContain('kept: Kept group');
    const signedIn = await submitLogin(app, { ...ADMIN, next: '/config' });
    expect(signedIn.headers.location).toBe('/config');
    const cookies = { usersync_session: cookiesOf(signedIn)['usersync_session']!, usersync_form: stash };
    const page = await app.inject({ url: '/config', cookies });
    expect(page.body).toContain('data-testid="form-restored"');
    expect(page.body).toContain('value="33"');
    expect(page.body).toContain('kept: Kept group');
  });
});

describe('control file form', () => {
  it('names a missing file and a missing reason together, linked to their fields', async () => {
    const res = await admin.postMultipart('/control-file/upload', [
      ['_csrf', admin.csrf],
      ['reason', ''],
    ]);
    expect(res.statusCode).toBe(400);
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(res.body)![0];
    expect(summary).toContain('href="#cf-file">Choose a control file to upload.');
    expect(summary).toContain('href="#cf-reason">Give a reason for the change');
    expect(res.body).toMatch(/<input id="cf-reason"[^>]*aria-invalid="true" aria-describedby="cf-reason-error"/);
    const invalid = await admin.postMultipart('/control-file/upload', [
      ['_csrf', admin.csrf],
      ['reason', 'try'],
      ['file', JSON.stringify({ files: 3, instructions: 'x' }), 'c.json'],
    ]);
    expect(invalid.statusCode).toBe(400);
    expect(/<div class="error-summary"[\s\S]*?<\/div>/.exec(invalid.body)![0]).toMatch(/href="#cf-file">\$[^<]*: /);
  });
});

describe('audit log', () => {
  it('shows a configuration change as field: before → after', async () => {
    expect(
      (await admin.post('/config', { maxBlockPercent: '20', maxBlockCount: '7', reportEmails: 'ops@example.org' }))
        .statusCode,
    ).toBe(303);
    const page = await admin.get('/audit?action=config.updated');
    const rows = rowsOf(page.body);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((r) => r[1] === 'config.updated')).toBe(true);
    expect(page.body).toMatch(
      /<span class="field">maxBlockPercent<\/span>: <del>[^<]*<\/del> <span aria-label="changed to">→<\/span> <ins>20<\/ins>/,
    );
    expect(page.body).toMatch(
      /<span class="field">reportEmails<\/span>: <del>\(none\)<\/del>[^\n]*<ins>ops@example.org<\/ins>/,
    );
    expect(/<table data-testid="audit-table"[\s\S]*<\/table>/.exec(page.body)![0]).not.toContain('{&quot;');
  });

  it("lists scripts' uploads by API key name beside admin actions, and filters by person and action", async () => {
    const runId = await readyRun(env);
    const { rows } = await env.runsDb.query<{ actor: { id: string; displayName: string } }>(
      `SELECT actor FROM runs.run_audit WHERE run_id = $1 AND action = 'upload_file' LIMIT 1`,
      [runId],
    );
    const key = rows[0]!.actor;
    const page = await admin.get('/audit');
    const all = rowsOf(page.body);
    expect(all.some((r) => r[1] === 'upload_file' && r[2] === 'run')).toBe(true);
    expect(all.some((r) => r[2] === 'admin')).toBe(true);
    expect(page.body).toContain(`${key.displayName} <span class="muted">(API key)</span>`);
    expect(page.body).toContain(`href="/runs/${runId}">Run ${runId}</a>`);
    const byKey = rowsOf((await admin.get(`/audit?person=api_key:${key.id}`)).body);
    expect(byKey.length).toBeGreaterThanOrEqual(2);
    expect(byKey.every((r) => r[2] === 'run')).toBe(true);
    const uploads = rowsOf((await admin.get('/audit?action=upload_file')).body);
    expect(uploads.length).toBeGreaterThanOrEqual(2);
    expect(uploads.every((r) => r[1] === 'upload_file')).toBe(true);
    const { rows: ids } = await env.portal.pool.query<{ id: string }>('SELECT id FROM admin.admin_account LIMIT 1');
    const admins = rowsOf((await admin.get(`/audit?person=admin:${ids[0]!.id}`)).body);
    expect(admins.length).toBeGreaterThan(0);
    expect(admins.every((r) => r[2] === 'admin')).toBe(true);
  });

  it('hides sign-ins unless asked for', async () => {
    expect(rowsOf((await admin.get('/audit')).body).some((r) => r[1] === 'login.succeeded')).toBe(false);
    expect(rowsOf((await admin.get('/audit?signins=1')).body).some((r) => r[1] === 'login.succeeded')).toBe(true);
    const only = rowsOf((await admin.get('/audit?action=login.succeeded')).body);
    expect(only.length).toBeGreaterThan(0);
    expect(only.every((r) => r[1] === 'login.succeeded')).toBe(true);
  });

  it('pages back through both sources newest first, without gaps or repeats, ties included', async () => {
    const t0 = Date.UTC(2001, 0, 1);
    // 60 script entries and 60 admin entries over 40 milliseconds: many share a millisecond.
    await env.runsDb.query(
      `INSERT INTO runs.run_audit (action, actor, detail, at)
       SELECT 'start_sync', '{"kind":"api_key","id":"00000000-0000-4000-8000-000000000001","displayName":"pager"}',
              jsonb_build_object('n', n), to_timestamp(($1::bigint + n % 40) / 1000.0) FROM generate_series(1, 60) n`,
      [t0],
    );
    await env.portal.pool.query(
      `INSERT INTO admin.audit (actor, action, target, detail, at)
       SELECT '{"kind":"system","id":"","displayName":"usersync"}', 'test.page', 'p' || n, jsonb_build_object('n', n),
              to_timestamp(($1::bigint + n % 40) / 1000.0) FROM generate_series(1, 60) n`,
      [t0],
    );
    const seen: string[] = [];
    let url: string | undefined = '/audit';
    let times: number[] = [];
    while (url) {
      const res = await admin.get(url, { 'hx-request': url === '/audit' ? 'false' : 'true' });
      for (const row of res.body.split('<tr data-testid="audit-row"').slice(1)) {
        const m =
          /^ data-action="(start_sync|test\.page)"[^]*?<time datetime="([^"]+)"[^]*?<span class="field">n<\/span>: (\d+)</.exec(
            row,
          );
        if (!m) continue;
        seen.push(`${m[1]}:${m[3]}`);
        times.push(Date.parse(m[2]!));
      }
      url = /hx-get="([^"]+)"/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');
    }
    const old = seen;
    expect(new Set(old).size).toBe(old.length);
    expect(old.filter((s) => s.startsWith('start_sync:'))).toHaveLength(60);
    expect(old.filter((s) => s.startsWith('test.page:'))).toHaveLength(60);
    times = times.filter((t) => t < t0 + 1000);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});

describe('audit log without the run service', () => {
  it("lists the portal's entries and says the script entries are missing", async () => {
    const portal = await startPortal();
    try {
      const s = await signIn(portal.app);
      const page = await portal.app.inject({ url: '/audit?signins=1', cookies: s.cookies });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('data-testid="audit-runs-unavailable"');
      expect(rowsOf(page.body).some((r) => r[1] === 'login.succeeded')).toBe(true);
    } finally {
      await portal.close();
    }
  });
});
