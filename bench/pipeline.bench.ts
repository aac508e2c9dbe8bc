/**
 * End-to-end bench of the apply pipeline (DESIGN §10), worker alone: the ingest gateway is not in the
 * loop yet, so files go straight to S3 and the run is created by SQL, then sync.run.queued is
 * published and the real worker process (src/main.ts) applies it. Phases: first import, re-sync with
 * 1% changed, re-sync with nothing changed. For each: wall time, rows/s, the worker's peak RSS
 * (VmHWM), and the floors measured in the same run: parse+hash of the file, and a plain COPY of the
 * same rows into PostgreSQL.
 *
 *   node --conditions=source --import tsx bench/pipeline.bench.ts --users 100000
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { connect } from 'nats';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { newEvent, publishEvent } from '@usersync/contracts';
import { readRecords, parseControlFile } from '@usersync/control-file';
import { createLogger, createObjectStore, createPool, runMigrations } from '@usersync/platform';
import {
  LOCAL_POSTGRES_URL,
  createDatabase,
  dropDatabase,
  freePort,
  startNatsServer,
  startS3Server,
} from '@usersync/devstack';
import { benchConfig, benchControl, benchRecord, writeFeed } from './feed-generator.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg('users', 100_000);
if (!Number.isInteger(USERS) || USERS < 1) throw new Error(`--users must be a positive whole number (got ${USERS})`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const work = mkdtempSync(join(tmpdir(), 'usersync-bench-'));
const adminUrl = process.env.DATABASE_ADMIN_URL ?? LOCAL_POSTGRES_URL;
const dbName = `usersync_bench_${Date.now()}`;
const log = createLogger({ service: 'bench', level: 'warn' });

async function main() {
  console.log(`usersync pipeline bench: ${fmt(USERS)} users (worker alone: files put in S3, run created by SQL)`);
  const dbUrl = await createDatabase(adminUrl, dbName);
  const s3 = await startS3Server({ directory: join(work, 's3') });
  const nats = await startNatsServer({ storeDir: join(work, 'nats') });
  // BENCH_PG_LOG_MS=<ms>: PostgreSQL logs this database's statements slower than that (server log).
  if (process.env.BENCH_PG_LOG_MS) {
    const admin = createPool(dbUrl, { max: 1 });
    await admin.query(
      `ALTER DATABASE ${dbName} SET log_min_duration_statement = ${Number(process.env.BENCH_PG_LOG_MS)}`,
    );
    await admin.end();
  }
  const pool = createPool(dbUrl, { max: 4 });
  let worker: ChildProcess | undefined;
  try {
    await runMigrations(pool, { owner: 'runs', dir: join(root, 'services/ingest-gateway/migrations'), log });
    await pool.query(`INSERT INTO runs.sync_config (id, config) VALUES (true, $1)`, [JSON.stringify(benchConfig)]);
    const objects = createObjectStore({ ...s3, bucket: 'bench' });
    await objects.ensureBucket();
    const control = await objects.putStream(Readable.from([JSON.stringify(benchControl)]));

    const healthPort = await freePort();
    // BENCH_CPU_PROF=<dir>: the worker writes a V8 CPU profile there when it exits.
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    // BENCH_WORKER_NODE_FLAGS: extra node/V8 flags for the worker (e.g. --max-semi-space-size=32).
    const flags = (process.env.BENCH_WORKER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const nodeArgs = [...prof, ...flags, '--conditions=source', '--import', 'tsx', 'services/apply-worker/src/main.ts'];
    worker = spawn(process.execPath, nodeArgs, {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: dbUrl,
        NATS_URL: nats.url,
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY: s3.accessKey,
        S3_SECRET_KEY: s3.secretKey,
        S3_BUCKET: 'bench',
        HEALTH_PORT: String(healthPort),
        // info: the worker logs each run's phase timings ('run processed'), which the bench prints.
        LOG_LEVEL: process.env.WORKER_LOG_LEVEL ?? 'info',
        // Transform worker threads (0 = on the worker's main thread); passed through when set.
        ...(process.env.APPLY_TRANSFORM_THREADS
          ? { APPLY_TRANSFORM_THREADS: process.env.APPLY_TRANSFORM_THREADS }
          : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timings = watchTimings(worker);
    await until(async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200, 60_000);
    const nc = await connect({ servers: nats.url });

    const files = {
      first: join(work, 'first.json'),
      changed: join(work, 'changed.json'),
    };
    await writeFeed(files.first, USERS);
    // 1% of users get a new job title.
    await writeFeed(files.changed, USERS, (n) => (n % 100 === 7 ? 1 : 0));
    console.log(`feed: ${(statSync(files.first).size / 1e6).toFixed(1)} MB JSON, 12 instructions`);

    const floorParse = await parseAndHashFloor(files.first);
    const floorCopy = await copyFloor(pool);
    console.log(`floor parse+hash: ${secs(floorParse)}   floor COPY: ${secs(floorCopy)}`);

    const phases: Array<[string, string]> = [
      ['first import', files.first],
      ['re-sync 1% changed', files.changed],
      ['re-sync no change', files.changed],
    ];
    const results: string[] = [];
    for (const [name, path] of phases) {
      const data = await objects.putStream(createReadStream(path));
      const runId = await insertRun(pool, control, data);
      const started = Date.now();
      const cpuBefore = cpuMs(worker.pid!);
      await publishEvent(nc.jetstream(), 'sync.run.queued', newEvent('sync.run.queued', { runId, reapply: false }));
      await until(async () => {
        const { rows } = await pool.query('SELECT status FROM runs.run WHERE id = $1', [runId]);
        if (rows[0].status === 'failure' || rows[0].status === 'ready')
          throw new Error(`run ${runId}: ${rows[0].status}`);
        return rows[0].status === 'complete';
      }, 900_000);
      const ms = Date.now() - started;
      const cpu = cpuMs(worker.pid!) - cpuBefore;
      const { rows } = await pool.query('SELECT counts FROM runs.run WHERE id = $1', [runId]);
      const floor = floorParse + floorCopy;
      results.push(
        `${name.padEnd(20)} ${secs(ms).padStart(8)}  ${fmt((USERS * 1000) / ms).padStart(9)} rows/s  ` +
          `${(ms / floor).toFixed(1)}× floor (${secs(floor)})  worker CPU ${secs(cpu)}  ` +
          `RSS so far ${peakRss(worker.pid!)} MiB  counts ${JSON.stringify(rows[0].counts)}`,
      );
      console.log(results.at(-1));
      const phaseMs = await timings.next(runId);
      console.log(
        `  phases: ${Object.entries(phaseMs)
          .map(([k, v]) => `${k} ${secs(v)}`)
          .join(', ')}`,
      );
    }
    const rss = peakRss(worker.pid!);
    console.log(`worker peak RSS (VmHWM): ${rss} MiB`);
    await nc.close();
  } finally {
    worker?.kill('SIGTERM');
    if (worker) await new Promise((r) => worker!.once('exit', r));
    await pool.end();
    await nats.stop();
    await s3.stop();
    await dropDatabase(adminUrl, dbName);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Floor 1: read the file once, hashing it and parsing every record (no transform, no database). */
async function parseAndHashFloor(path: string): Promise<number> {
  const started = Date.now();
  const hash = createHash('sha256');
  const stream = createReadStream(path);
  stream.on('data', (c) => hash.update(c as Buffer));
  let n = 0;
  for await (const record of readRecords('people', { read: 'json' }, stream)) if (record) n++;
  hash.digest('hex');
  if (n !== USERS) throw new Error(`parsed ${n} records`);
  return Date.now() - started;
}

/** Floor 2: a plain COPY of the same rows (user columns plus raw record) into an unindexed table. */
async function copyFloor(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query(
      'CREATE TEMP TABLE floor (username text, title text, first text, last text, email text, tags jsonb, profile jsonb, record jsonb)',
    );
    const started = Date.now();
    const rows = async function* () {
      for (let n = 0; n < USERS; n++) {
        const r = benchRecord(n);
        const json = JSON.stringify(r).replace(/\\/g, '\\\\');
        yield `${r.ID!.toLowerCase()}\t${r.TITLE}\t${r.FIRST}\t${r.LAST}\t${r.EMAIL}\t{"department":"${r.DEPT}"}\t${json}\t${json}\n`;
      }
    };
    await pipeline(Readable.from(rows()), client.query(copyFrom('COPY floor FROM STDIN')));
    return Date.now() - started;
  } finally {
    client.release();
  }
}

async function insertRun(
  pool: pg.Pool,
  control: { digest: string; size: number },
  data: { digest: string; size: number },
): Promise<number> {
  const { rows } = await pool.query(
    `INSERT INTO runs.run (status, expected_files, ready_at, started_at) VALUES ('running', '{_control,people}', now(), now())
     RETURNING id`,
  );
  const runId = Number(rows[0].id);
  await pool.query(
    `INSERT INTO runs.run_file (run_id, name, digest, size) VALUES ($1, '_control', $2, $3), ($1, 'people', $4, $5)`,
    [runId, control.digest, control.size, data.digest, data.size],
  );
  return runId;
}

/** CPU time (user + system) the process has used so far, in ms (clock ticks are 100 Hz on Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Collects the worker's 'run processed' log lines (phase timings per run); other lines are echoed. */
function watchTimings(child: ChildProcess): { next(runId: number): Promise<Record<string, number>> } {
  const seen = new Map<number, Record<string, number>>();
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let entry: { msg?: string; runId?: number; timings?: Record<string, number>; level?: number } = {};
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        // not a log line
      }
      if (entry.msg === 'run processed' && entry.runId !== undefined)
        seen.set(Number(entry.runId), entry.timings ?? {});
      else if ((entry.level ?? 40) >= 40 || process.env.WORKER_LOG_LEVEL) process.stdout.write(`${line}\n`);
    }
  });
  return {
    async next(runId) {
      await until(async () => seen.has(runId), 10_000).catch(() => undefined);
      return seen.get(runId) ?? {};
    },
  };
}

function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function until(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch((err: Error) => (err.message.startsWith('run ') ? Promise.reject(err) : false)))) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

parseControlFile(JSON.stringify(benchControl)); // fail fast on a broken bench control file
await main();
