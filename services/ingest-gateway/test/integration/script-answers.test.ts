/**
 * Scripts get honest answers (issue 16 item 4): upload-file and start-sync name the run and its status
 * URL, start-sync's JSON and XML forms wait (bounded) for the worker's decision, and the runs list.
 * The apply-worker is not running here: its decisions are made on the database with transitionRun.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { transitionRun, type StoredActor } from '@usersync/run-state';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { cancelOpenRuns, completeRun, controlFile, startSync, upload, usersFile } from '../support/fixtures.js';

/** The start-sync wait of this gateway: short, so the deadline case is quick. */
const WAIT_MS = 800;
const ADMIN_ACTOR: StoredActor = { kind: 'admin', id: '1', displayName: 'Ada Admin' };
let env: GatewayEnv;

beforeAll(async () => {
  env = await startGatewayEnv({ INGEST_START_SYNC_WAIT_MS: String(WAIT_MS) });
  // An applied run, so the next runs of the same size pass the file check and start-sync queues them
  // (queued on the database, as an admin's Apply would, and finished as the worker would).
  const first = await readyRun(usersFile(100));
  await transitionRun(env.pool, first, 'queue', { approvedBy: ADMIN_ACTOR });
  await completeRun(env, first);
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(async () => {
  await cancelOpenRuns(env);
});

/** Uploads `_control` and users; returns the id of the run they made ready. */
async function readyRun(users = usersFile(100, 'v')): Promise<number> {
  expect((await upload(env, '_control', controlFile(['users']))).status).toBe(200);
  const res = await upload(env, 'users', users);
  expect(res.status).toBe(200);
  return (JSON.parse(res.text) as { runId: number }).runId;
}

/** start-sync in one form, timed. */
async function timedStart(format: '' | '/json' | '/xml', prefix?: string) {
  const started = Date.now();
  const res = await startSync(env, format, prefix);
  return { ...res, ms: Date.now() - started };
}

/** Once start-sync has queued run `id`, makes the worker's decision `ms` later, as the apply-worker would. */
async function decideLater(id: number, ms: number, decide: () => Promise<unknown>): Promise<void> {
  for (;;) {
    const { rows } = await env.pool.query<{ status: string }>('SELECT status FROM runs.run WHERE id = $1', [id]);
    if (rows[0]!.status === 'running') break;
    await sleep(10);
  }
  await sleep(ms);
  await decide();
}

async function get(path: string, auth: string | null = env.authHeader) {
  const res = await fetch(path.startsWith('http') ? path : `${env.baseUrl}${path}`, {
    headers: auth ? { authorization: auth } : {},
  });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

const runUrl = (id: number, prefix = '/api/user-sync') => `${env.baseUrl}${prefix}/runs/${id}`;

describe('upload-file', () => {
  it("answers Haplo's three keys first, then runId and runUrl under the prefix it came in on", async () => {
    const res = await upload(env, '_control', controlFile(['users']), { prefix: '/api/haplo-user-sync' });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['digest', 'fileSize', 'filename', 'runId', 'runUrl']);
    const id = body.runId as number;
    expect(body.runUrl).toBe(runUrl(id, '/api/haplo-user-sync'));
    const status = await get(body.runUrl as string);
    expect(status.status).toBe(200);
    expect(JSON.parse(status.text)).toMatchObject({ id, status: 'uploading' });
  });
});

describe('start-sync answers', () => {
  it("answers plain text with Haplo's line alone, at once", async () => {
    const id = await readyRun();
    const res = await timedStart('');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain/);
    expect(res.text).toBe('OK. Sync queued.');
    expect(res.ms).toBeLessThan(WAIT_MS / 2);
    const run = JSON.parse((await get(runUrl(id))).text) as { status: string };
    expect(run.status).toBe('running');
  });

  it('waits for the decision until the deadline, then answers queued-for-apply with the run, holding no transaction', async () => {
    const id = await readyRun();
    const pending = timedStart('/json');
    await sleep(WAIT_MS / 2);
    // A transaction open since the wait began would be the start-sync's; the gateway's background tasks (the
    // SCIM batcher, the outbox relay) open short ones of their own, which a single sample may catch.
    const { rows } = await env.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()
       AND state LIKE 'idle in transaction%' AND xact_start < now() - interval '${WAIT_MS / 4} milliseconds'`,
    );
    expect(Number(rows[0]!.n)).toBe(0);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.text).toBe(
      JSON.stringify({
        status: 'queued-for-apply',
        error: false,
        message: 'OK. Sync queued.',
        runId: id,
        runUrl: runUrl(id),
      }),
    );
    expect(res.ms).toBeGreaterThanOrEqual(WAIT_MS - 50);
    expect(res.ms).toBeLessThan(WAIT_MS + 1_500);
  });

  it('names the run in XML under the prefix the request came in on', async () => {
    const id = await readyRun();
    const res = await timedStart('/xml', '/api/haplo-user-sync');
    expect(res.type).toMatch(/^application\/xml/);
    expect(res.text).toBe(
      `<response><sync error="false" status="queued-for-apply" run-id="${id}" ` +
        `run-url="${runUrl(id, '/api/haplo-user-sync')}">OK. Sync queued.</sync></response>`,
    );
  });

  it("names the newest run in Haplo's other answers too", async () => {
    const id = await readyRun();
    await timedStart('');
    const res = await timedStart('/json');
    expect(JSON.parse(res.text)).toEqual({
      status: 'missing-files',
      error: true,
      message: 'Last sync is not ready. Upload all the required files.',
      runId: id,
      runUrl: runUrl(id),
    });
  });

  it('answers admin-intervention-required with the hold text when the worker holds the run within the wait', async () => {
    const message =
      'OK: This run would block more users than the configured limit (would block 3 users); must apply manually.';
    for (const format of ['/json', '/xml'] as const) {
      await cancelOpenRuns(env);
      const id = await readyRun();
      const decided = decideLater(id, 300, () =>
        transitionRun(env.pool, id, 'hold', { holdReason: 'block_threshold', holdDetail: 'would block 3 users' }),
      );
      const res = await timedStart(format);
      await decided;
      expect(res.status).toBe(200);
      expect(res.ms).toBeLessThan(WAIT_MS);
      if (format === '/json') {
        expect(JSON.parse(res.text)).toEqual({
          status: 'admin-intervention-required',
          error: false,
          message,
          runId: id,
          runUrl: runUrl(id),
          holdReason: { code: 'block_threshold', text: 'This run would block more users than the configured limit.' },
          holdDetail: 'would block 3 users',
        });
      } else {
        expect(res.text).toBe(
          `<response><sync error="false" status="admin-intervention-required" run-id="${id}" run-url="${runUrl(id)}" ` +
            `hold-reason="block_threshold">${message}</sync></response>`,
        );
      }
    }
  });

  it('answers complete, failure and cancelled when the worker finishes the run within the wait', async () => {
    const cases = [
      { decide: (id: number) => completeRun(env, id), status: 'complete', error: false, message: 'OK. Sync applied.' },
      {
        decide: (id: number) => transitionRun(env.pool, id, 'fail', { failureMessage: 'directory unreachable' }),
        status: 'failure',
        error: true,
        message: 'Error: sync failed: directory unreachable',
      },
      {
        decide: (id: number) => transitionRun(env.pool, id, 'forceCancel', { cancelReason: 'test' }),
        status: 'cancelled',
        error: true,
        message: 'Error: sync was cancelled.',
      },
    ];
    for (const c of cases) {
      await cancelOpenRuns(env);
      const id = await readyRun();
      const decided = decideLater(id, 300, () => c.decide(id));
      const res = await timedStart('/json');
      await decided;
      expect(res.ms).toBeLessThan(WAIT_MS);
      expect(JSON.parse(res.text)).toEqual({
        status: c.status,
        error: c.error,
        message: c.message,
        runId: id,
        runUrl: runUrl(id),
      });
    }
  });
});

describe('runs list', () => {
  const ids = async (where: string) =>
    (await env.pool.query<{ id: string }>(`SELECT id FROM runs.run WHERE ${where} ORDER BY id DESC`)).rows.map((r) =>
      Number(r.id),
    );
  type Page = { runs: Array<Record<string, unknown> & { id: number; status: string }>; next: string | null };
  const page = async (path: string) => {
    const res = await get(path);
    expect(res.status, res.text).toBe(200);
    expect(res.type).toMatch(/^application\/json/);
    return JSON.parse(res.text) as Page;
  };

  it('lists runs newest first in the shape of GET runs/:id without files and progress', async () => {
    const { runs, next } = await page('/api/user-sync/runs?limit=100');
    expect(runs.map((r) => r.id)).toEqual((await ids('true')).slice(0, 100));
    const one = JSON.parse((await get(runUrl(runs[0]!.id))).text) as Record<string, unknown>;
    // Files and progress are the single run's; the list leaves them out (one query per page).
    delete one.files;
    delete one.progress;
    expect(runs[0]).toEqual(one);
    expect(next).toBeNull();
  });

  it('filters by one or several statuses', async () => {
    expect((await page('/api/user-sync/runs?status=complete')).runs.map((r) => r.id)).toEqual(
      await ids(`status = 'complete'`),
    );
    const both = await page('/api/haplo-user-sync/runs?status=complete,running&limit=100');
    expect(both.runs.map((r) => r.id)).toEqual(await ids(`status IN ('complete', 'running')`));
    const paged = await page('/api/user-sync/runs?status=cancelled&status=complete&limit=1');
    expect(paged.next).toBe(
      `${env.baseUrl}/api/user-sync/runs?status=cancelled,complete&limit=1&before=${paged.runs[0]!.id}`,
    );
    expect((await page('/api/user-sync/runs?status=held')).runs.every((r) => r.status === 'held')).toBe(true);
  });

  it('pages with limit, before and next', async () => {
    const all = await ids(`status = 'cancelled'`);
    expect(all.length).toBeGreaterThan(3);
    const seen: number[] = [];
    let url: string | null = '/api/user-sync/runs?status=cancelled&limit=2';
    let pages = 0;
    while (url) {
      const p: Page = await page(url);
      expect(p.runs.length).toBeLessThanOrEqual(2);
      seen.push(...p.runs.map((r) => r.id));
      if (p.next) {
        expect(p.next).toBe(`${env.baseUrl}/api/user-sync/runs?status=cancelled&limit=2&before=${p.runs.at(-1)!.id}`);
      }
      url = p.next;
      pages += 1;
    }
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));
    const before = all[1]!;
    expect((await page(`/api/user-sync/runs?before=${before}&limit=100`)).runs.map((r) => r.id)).toEqual(
      (await ids(`id < ${before}`)).slice(0, 100),
    );
  });

  it('refuses a bad status, limit or before with 400 naming the value', async () => {
    const bad = async (query: string, pattern: RegExp) => {
      const res = await get(`/api/user-sync/runs?${query}`);
      expect(res.status).toBe(400);
      expect(res.type).toMatch(/^text\/plain/);
      expect(res.text).toMatch(pattern);
    };
    await bad('status=running,bogus', /^Invalid status "bogus": expected one or a comma-separated list of uploading, /);
    await bad('status=', /^Invalid status "":/);
    await bad('limit=0', /^Invalid limit "0": expected an integer from 1 to 100\.$/);
    await bad('limit=101', /^Invalid limit "101"/);
    await bad('limit=ten', /^Invalid limit "ten"/);
    await bad('before=-3', /^Invalid before "-3": expected a run id/);
  });

  it('needs an API key', async () => {
    for (const prefix of ['/api/user-sync', '/api/haplo-user-sync']) {
      const res = await get(`${prefix}/runs`, null);
      expect(res.status).toBe(401);
      expect(res.text).toMatch(/^Authentication required/);
    }
    const wrong = await get('/api/user-sync/runs', `Basic ${Buffer.from('haplo:usk_nope').toString('base64')}`);
    expect(wrong.status).toBe(401);
  });
});
