/**
 * The worker as a process (src/main.ts) on real PostgreSQL, NATS and S3: sync.run.queued is consumed;
 * `kill -9` mid-apply then a restart gives the same directory as a clean apply with no duplicate
 * events; a redelivered message for the finished run does nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { newEvent, publishEvent } from '@usersync/contracts';
import { createPool } from '@usersync/platform';
import { createTestDatabase, freePort, startTestNats, type TestDatabase, type TestNats } from '@usersync/devstack';
import { processRun } from '../../src/usecases/apply-run.js';
import {
  createHarness,
  createRunningRun,
  directorySnapshot,
  migrate,
  outboxSubjects,
  runRow,
  setConfig,
  type Harness,
} from '../support/harness.js';
import { people, simpleConfig, simpleControl } from '../support/simple-feed.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const USERS = 20_000;

let h: Harness;
let nats: TestNats;
let nc: NatsConnection;
const workers: ChildProcess[] = [];

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startWorker(): Promise<ChildProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'services/apply-worker/src/main.ts'],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: h.db.url,
        NATS_URL: nats.url,
        S3_ENDPOINT: h.s3.endpoint,
        S3_ACCESS_KEY: h.s3.accessKey,
        S3_SECRET_KEY: h.s3.secretKey,
        S3_BUCKET: h.s3.bucket,
        HEALTH_PORT: String(port),
        APPLY_ACK_WAIT_MS: '3000',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  workers.push(child);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 'worker ready');
  return child;
}

beforeAll(async () => {
  h = await createHarness();
  nats = await startTestNats();
  nc = await connect({ servers: nats.url });
  await setConfig(h.pool, simpleConfig);
}, 60_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await nc?.close();
  await nats?.stop();
  await h?.close();
});

describe('the worker process', () => {
  let runId = 0;

  it('survives kill -9 mid-apply: after a restart the directory equals a clean apply, events once', async () => {
    const worker = await startWorker();
    runId = await createRunningRun(h, { _control: simpleControl, users: people(USERS) });
    const blocker = await h.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE directory.history IN EXCLUSIVE MODE');
    await publishEvent(
      nc.jetstream(),
      'sync.run.queued',
      newEvent('sync.run.queued', { runId, reapply: false, planOnly: false }),
    );
    await waitFor(async () => {
      const { rows } = await h.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%directory.history%'`,
      );
      return rows.length > 0;
    }, 'worker blocked mid-apply');
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    await blocker.query('COMMIT');
    blocker.release();
    // The dead worker's transaction rolls back when its backend notices the closed socket.
    await waitFor(
      async () =>
        (
          await h.pool.query(
            `SELECT 1 FROM pg_stat_activity WHERE query LIKE '%directory.history%' AND pid <> pg_backend_pid()`,
          )
        ).rows.length === 0,
      'dead transaction gone',
    );
    expect((await runRow(h.pool, runId)).status).toBe('running');
    expect(Object.keys(await directorySnapshot(h.pool))).toHaveLength(0);

    await startWorker();
    await waitFor(async () => (await runRow(h.pool, runId)).status === 'complete', 'run complete after restart');
    const directory = await directorySnapshot(h.pool);

    const clean = await cleanApply();
    expect(directory).toEqual(clean);

    const jsm = await nc.jetstreamManager();
    await waitFor(async () => {
      const info = await jsm.streams.info('SYNC_RUNS', { subjects_filter: '>' });
      return (info.state.subjects as Record<string, number> | undefined)?.['sync.run.completed'] === 1;
    }, 'sync.run.completed published');
    expect((await outboxSubjects(h.pool)).filter((s) => s === 'sync.run.completed')).toHaveLength(1);
  }, 180_000);

  it('acks and ignores a redelivered sync.run.queued for the finished run', async () => {
    const before = await directorySnapshot(h.pool);
    const events = await outboxSubjects(h.pool);
    await publishEvent(
      nc.jetstream(),
      'sync.run.queued',
      newEvent('sync.run.queued', { runId, reapply: false, planOnly: false }),
    );
    const jsm = await nc.jetstreamManager();
    await waitFor(async () => {
      const info = await jsm.consumers.info('SYNC_RUNS', 'apply-worker');
      return info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.consumer_seq >= 2;
    }, 'message consumed');
    expect(await directorySnapshot(h.pool)).toEqual(before);
    expect(await outboxSubjects(h.pool)).toEqual(events);
  }, 60_000);
});

/** The same feed applied once, without interruption, in a database of its own. */
async function cleanApply() {
  let db: TestDatabase | undefined;
  const pool = createPool((db = await createTestDatabase()).url);
  try {
    await migrate(pool, h.log);
    await setConfig(pool, simpleConfig);
    const cleanRun = await createRunningRun(
      { pool, objects: h.objects },
      { _control: simpleControl, users: people(USERS) },
    );
    expect(await processRun({ pool, objects: h.objects, log: h.log }, cleanRun)).toBe('complete');
    return await directorySnapshot(pool);
  } finally {
    await pool.end();
    await db?.drop();
  }
}
