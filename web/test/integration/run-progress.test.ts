/**
 * Progress with totals, end to end: a real run (the apply worker's processRun against the gateway's
 * database and S3) is held half-way through reading its data file, and the run status API and the
 * portal's progress fragment both show bytes of the known total, percent, elapsed, ETA and the time
 * to the second; a worker that stops moving shows as stalled; at the end both show records of N.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { renderMetrics, type ObjectStore } from '@usersync/platform';
import { processRun } from '../../../services/apply-worker/src/usecases/apply-run.js';
import { migrate as migrateWorker } from '../../../services/apply-worker/test/support/harness.js';
import { formatBytes } from '../../src/viewmodels/runs.labels.js';
import { readyRun, usersFile, type RunsEnv } from '../runs-env.js';
import { useSignedInRunsEnv, type AdminRequests } from '../portal-requests.js';

let env: RunsEnv;
let admin: AdminRequests;
useSignedInRunsEnv((e, a) => {
  env = e;
  admin = a;
});

interface Progress {
  phase: string;
  unit: string;
  processed: number;
  total: number | null;
  percent: number | null;
  startedAt: string;
  updatedAt: string;
  elapsedSeconds: number;
  etaSeconds: number | null;
  secondsSinceUpdate: number;
  stalled: boolean;
}

async function apiProgress(runId: number): Promise<Progress | null> {
  const res = await fetch(`${env.gateway.baseUrl}/api/user-sync/runs/${runId}`, {
    headers: { authorization: env.gateway.authHeader },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { progress: Progress | null }).progress;
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The gateway's object store, but the data file stops after its first half until `release()`. */
function gatedStore(objects: ObjectStore, digest: string) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const store: ObjectStore = Object.create(objects) as ObjectStore;
  store.get = async (d: string) => {
    const source = await objects.get(d);
    if (d !== digest) return source;
    const chunks: Buffer[] = [];
    for await (const c of source) chunks.push(c as Buffer);
    const all = Buffer.concat(chunks);
    const half = Math.floor(all.length / 2);
    return Readable.from(
      (async function* () {
        yield all.subarray(0, half);
        await released;
        yield all.subarray(half);
      })(),
    );
  };
  return { store, release };
}

describe('progress with totals', () => {
  it('shows bytes of the total while transforming, stalls when it stops, and records of N at the end', async () => {
    await migrateWorker(env.runsDb, pino({ level: 'silent' }));
    const users = usersFile(400);
    const runId = await readyRun(env, users);
    const { rows } = await env.runsDb.query<{ digest: string; size: string }>(
      `SELECT digest, size FROM runs.run_file WHERE run_id = $1 AND name = 'users'`,
      [runId],
    );
    const size = Number(rows[0]!.size);
    expect(size).toBe(Buffer.byteLength(users));
    expect(await apiProgress(runId)).toBeNull();

    // The worker has claimed the run (as the queue consumer does) and starts on it.
    await env.runsDb.query(`UPDATE runs.run SET status = 'running', started_at = now() WHERE id = $1`, [runId]);
    const gate = gatedStore(env.gateway.objects, rows[0]!.digest);
    const worker = processRun({ pool: env.runsDb, objects: gate.store, log: pino({ level: 'silent' }) }, runId);
    try {
      const half = Math.floor(size / 2);
      const mid = (await until(
        'half the bytes',
        () => apiProgress(runId),
        (p) => p?.processed === half,
      ))!;
      const percent = Math.floor((half / size) * 1000) / 10;
      expect(mid).toMatchObject({ phase: 'transform', unit: 'bytes', total: size, percent, stalled: false });
      expect(mid.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(mid.elapsedSeconds).toBeGreaterThanOrEqual(0);
      expect(mid.etaSeconds === null || mid.etaSeconds >= 0).toBe(true);
      expect(mid.secondsSinceUpdate).toBeLessThan(60);

      const fragment = await admin.get(`/runs/${runId}/progress`, { 'hx-request': 'true' });
      expect(fragment.statusCode).toBe(200);
      expect(fragment.body).toContain(
        `<strong>Reading the files</strong>: ${formatBytes(half)} of ${formatBytes(size)} (${percent} %) · elapsed `,
      );
      expect(fragment.body).toMatch(/updated <time datetime="[^"]+">[^<]*\d{2}:\d{2}:\d{2}[^<]*<\/time>/);
      expect(fragment.body).toContain(`<progress max="100" value="${percent}"`);
      expect(fragment.body).not.toContain('may be stuck');

      // No figure has moved for 95 s (the worker's heartbeat goes on, the count does not): stalled.
      await env.runsDb.query(
        `UPDATE runs.run_progress SET updated_at = now() - interval '95 seconds' WHERE run_id = $1`,
        [runId],
      );
      const stuck = (await apiProgress(runId))!;
      expect(stuck).toMatchObject({ stalled: true, processed: half });
      expect(stuck.secondsSinceUpdate).toBeGreaterThanOrEqual(95);
      const warned = await admin.get(`/runs/${runId}/progress`, { 'hx-request': 'true' });
      expect(warned.body).toMatch(/class="notice warning"[^>]*>No progress for 9\d s — the worker may be stuck/);
    } finally {
      gate.release();
    }
    const outcome = await worker;
    expect(['complete', 'held']).toContain(outcome);

    const done = (await apiProgress(runId))!;
    expect(done).toMatchObject({
      phase: outcome,
      unit: 'records',
      processed: 400,
      total: 400,
      percent: 100,
      etaSeconds: null,
      stalled: false,
    });
    const page = await admin.get(`/runs/${runId}/progress`, { 'hx-request': 'true' });
    expect(page.body).toContain('400 of 400 records (100 %), elapsed ');

    // The same phase clock fed the worker's /metrics (in this process: the worker ran here).
    const { body } = await renderMetrics();
    expect(body).toMatch(new RegExp(`^usersync_runs_processed_total\\{outcome="${outcome}"\\} 1$`, 'm'));
    for (const phase of ['prepare', 'transform', 'plan'])
      expect(body).toMatch(new RegExp(`^usersync_run_phase_duration_seconds_count\\{phase="${phase}"\\} 1$`, 'm'));
    expect(body).toMatch(/^usersync_run_records_sum 400$/m);
  }, 60_000);
});
