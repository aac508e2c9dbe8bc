/**
 * The HTTP upload API against real PostgreSQL, NATS, S3 and key-service: auth, Haplo's upload
 * rules and messages, control-file validation, readiness and the run status route.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { cancelOpenRuns, controlFile, outboxSubjects, runStatus, upload, usersFile } from '../support/fixtures.js';

let env: GatewayEnv;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  env = await startGatewayEnv({ MAX_UPLOAD_BYTES: '2000000', MAX_CONTROL_BYTES: '100000' });
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(async () => {
  await cancelOpenRuns(env);
});

async function openRunId(): Promise<number> {
  const { rows } = await env.pool.query<{ id: string }>(
    `SELECT id FROM runs.run WHERE status IN ('uploading', 'ready', 'held', 'running') ORDER BY id DESC LIMIT 1`,
  );
  return Number(rows[0]!.id);
}

describe('authentication', () => {
  it('challenges a request without credentials with 401 and a plain message', async () => {
    const res = await upload(env, 'users', '[]', { auth: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="usersync"');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/API key/);
  });

  it('refuses an unknown key and a revoked key with 401, and accepts Bearer', async () => {
    const bad = await upload(env, 'users', '[]', { auth: `Basic ${Buffer.from('haplo:nope').toString('base64')}` });
    expect(bad.status).toBe(401);
    const key = await env.createKey();
    const bearer = await fetch(`${env.baseUrl}/api/user-sync/runs/999999`, {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(bearer.status).toBe(404);
    await env.revokeKey(key.id);
    // The verifier's cache is dropped by the revocation event; allow it a moment to arrive.
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      const res = await fetch(`${env.baseUrl}/api/user-sync/runs/1`, {
        headers: { authorization: `Bearer ${key.secret}` },
      });
      status = res.status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(401);
  });

  it('leaves the ops routes public', async () => {
    expect((await fetch(`${env.baseUrl}/healthz`)).status).toBe(200);
  });
});

describe('control file validation', () => {
  it("answers invalid JSON with Haplo's message and records nothing", async () => {
    const before = await env.pool.query('SELECT count(*)::int AS n FROM runs.run');
    const res = await upload(env, '_control', '{"model": ');
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^Control file was not valid JSON: /);
    expect((await env.pool.query('SELECT count(*)::int AS n FROM runs.run')).rows[0].n).toBe(before.rows[0].n);
  });

  it('lists every validation error with its JSON path', async () => {
    const bad = JSON.parse(controlFile()) as Record<string, unknown>;
    bad.instructions = [{ source: 'x', destination: 'nowhere', name: 'y' }];
    bad.files = { users: { read: 'bogus' } };
    const res = await upload(env, '_control', JSON.stringify(bad));
    expect(res.status).toBe(400);
    const lines = res.text.split('\n');
    expect(lines[0]).toBe('File named _control is not a valid control file:');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.slice(1).every((l) => /^ {2}\$[.\w[\]]*: .+/.test(l))).toBe(true);
    expect(res.text).toMatch(/\$\.files\.users/);
    expect(res.text).toMatch(/No simple rule for extracting username/);
  });

  it("answers a wrong model with Haplo's model message", async () => {
    const res = await upload(env, '_control', controlFile(['users'], { model: 'haplo:other' }));
    expect(res.status).toBe(400);
    expect(res.text).toBe('model property in control file must be set to "haplo:user-sync"');
  });

  it('refuses a control file over its limit with 413', async () => {
    const res = await upload(env, '_control', ' '.repeat(100_001));
    expect(res.status).toBe(413);
  });
});

describe('uploads', () => {
  it("stores _control then users, answers Haplo's JSON and makes the run ready", async () => {
    const control = controlFile(['users']);
    const first = await upload(env, '_control', control, { filename: '_control.json' });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    // Haplo's three keys first, as Haplo writes them; then the run it landed in and its status URL.
    const answer = JSON.parse(first.text) as Record<string, unknown>;
    expect(Object.keys(answer)).toEqual(['digest', 'fileSize', 'filename', 'runId', 'runUrl']);
    const id = await openRunId();
    expect(answer).toEqual({
      digest: sha256(control),
      fileSize: Buffer.byteLength(control),
      filename: '_control.json',
      runId: id,
      runUrl: `${env.baseUrl}/api/user-sync/runs/${id}`,
    });
    expect((await runStatus(env, id)).body).toMatchObject({
      status: 'uploading',
      expectedFiles: ['_control', 'users'],
    });
    const users = usersFile(3);
    const second = await upload(env, 'users', users, { prefix: '/api/haplo-user-sync' });
    expect(second.status).toBe(200);
    expect(JSON.parse(second.text)).toEqual({
      digest: sha256(users),
      fileSize: users.length,
      filename: 'users.json',
      runId: id,
      runUrl: `${env.baseUrl}/api/haplo-user-sync/runs/${id}`,
    });
    const status = (await runStatus(env, id)).body as Record<string, unknown>;
    expect(status).toMatchObject({ id, status: 'ready', holdReason: null });
    expect((status.files as Array<{ name: string }>).map((f) => f.name)).toEqual(['_control', 'users']);
    const audit = await env.pool.query(`SELECT action, actor FROM runs.run_audit WHERE run_id = $1 ORDER BY id`, [id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['upload_file', 'upload_file', 'mark_ready']);
    expect(audit.rows[0].actor).toMatchObject({ kind: 'api_key' });
    const history = await env.pool.query(`SELECT via, digest FROM runs.control_file ORDER BY id DESC LIMIT 1`);
    expect(history.rows[0]).toEqual({ via: 'api', digest: sha256(control) });
  });

  it("accepts the name in the query string (Haplo's Windows uploader)", async () => {
    await upload(env, '_control', controlFile(['staff', 'students']));
    const res = await upload(env, 'staff', usersFile(2, 's'), { nameInQuery: true, prefix: '/api/haplo-user-sync' });
    expect(res.status).toBe(200);
    expect((await runStatus(env, await openRunId())).body).toMatchObject({ status: 'uploading' });
  });

  it('refuses a file part that arrives before any name', async () => {
    const res = await upload(env, 'users', usersFile(1), { fileFirst: true });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/send the name field before the file field/);
  });

  it('refuses a bad name and an unknown name, naming the expected files', async () => {
    expect((await upload(env, 'no good', '[]')).text).toMatch(/Invalid name/);
    await upload(env, '_control', controlFile(['users', 'staff']));
    const res = await upload(env, 'pupils', '[]');
    expect(res.status).toBe(400);
    expect(res.text).toBe('File pupils is not expected by the control file. Expected files: _control, staff, users.');
  });

  it("returns the existing record for an identical re-upload, and Haplo's 400 for different content", async () => {
    await upload(env, '_control', controlFile(['users', 'staff']));
    const users = usersFile(5);
    const first = await upload(env, 'users', users);
    const again = await upload(env, 'users', users);
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    const different = await upload(env, 'users', usersFile(6));
    expect(different.status).toBe(400);
    expect(different.text).toBe('File users has already been uploaded for this sync run.');
    const rows = await env.pool.query(`SELECT count(*)::int AS n FROM runs.run_file WHERE run_id = $1`, [
      await openRunId(),
    ]);
    expect(rows.rows[0].n).toBe(2);
  });

  it('lets a new run inherit the control file, replaceable once', async () => {
    await upload(env, '_control', controlFile(['users', 'staff']));
    await cancelOpenRuns(env);
    // The next run starts with the inherited _control: a data file alone is accepted.
    expect((await upload(env, 'staff', usersFile(1, 's'))).status).toBe(200);
    const id = await openRunId();
    const inherited = await env.pool.query(
      `SELECT replaceable FROM runs.run_file WHERE run_id = $1 AND name = '_control'`,
      [id],
    );
    expect(inherited.rows[0].replaceable).toBe(true);
    // Same control file, different bytes (compact JSON): a new digest each time.
    expect((await upload(env, '_control', controlFile(['users', 'staff']).replace(/\n/g, ''))).status).toBe(200);
    const again = await upload(env, '_control', controlFile(['users', 'staff']).replace(/\n\s*/g, ''));
    expect(again.status).toBe(400);
    expect(again.text).toBe('File _control has already been uploaded for this sync run.');
  });

  it('lands concurrent first uploads in one new run (the open-run race)', async () => {
    await upload(env, '_control', controlFile(['users', 'staff', 'students']));
    await cancelOpenRuns(env);
    const results = await Promise.all([
      upload(env, 'users', usersFile(2)),
      upload(env, 'staff', usersFile(2, 's')),
      upload(env, 'students', usersFile(2, 't')),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const id = await openRunId();
    const names = await env.pool.query(`SELECT name FROM runs.run_file WHERE run_id = $1 ORDER BY name`, [id]);
    expect(names.rows.map((r) => r.name)).toEqual(['_control', 'staff', 'students', 'users']);
    expect((await runStatus(env, id)).body).toMatchObject({ status: 'ready' });
  });

  it("refuses uploads into a ready run with Haplo's unexpected-state message", async () => {
    await upload(env, '_control', controlFile(['users']));
    await upload(env, 'users', usersFile(2));
    const res = await upload(env, 'users', usersFile(3));
    expect(res.status).toBe(400);
    expect(res.text).toBe('Sync in unexpected state -- use admin interface to resolve.');
  });

  it('refuses files over MAX_UPLOAD_BYTES with 413 and records nothing', async () => {
    await upload(env, '_control', controlFile(['users']));
    const id = await openRunId();
    const outbox = (await outboxSubjects(env)).length;
    const res = await upload(env, 'users', Buffer.alloc(2_500_000, 'x'));
    expect(res.status).toBe(413);
    expect(res.text).toBe('File is larger than the maximum upload size of 2000000 bytes.');
    const files = await env.pool.query(`SELECT name FROM runs.run_file WHERE run_id = $1`, [id]);
    expect(files.rows.map((r) => r.name)).toEqual(['_control']);
    expect((await outboxSubjects(env)).length).toBe(outbox);
  });

  it('redirects to a local rdr path instead of answering JSON', async () => {
    await upload(env, '_control', controlFile(['users']));
    const res = await upload(env, 'users', usersFile(1), { rdr: '/admin/runs' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/admin/runs');
  });

  it('answers 404 for an unknown run and 400 for a bad id', async () => {
    expect((await runStatus(env, 987654)).status).toBe(404);
    const res = await fetch(`${env.baseUrl}/api/user-sync/runs/abc`, { headers: { authorization: env.authHeader } });
    expect(res.status).toBe(400);
  });
});
