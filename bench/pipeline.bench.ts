/**
 * End-to-end bench of the apply pipeline (DESIGN §10) through the real processes: key-service,
 * ingest-gateway and apply-worker (src/main.ts each). Per phase the feed is uploaded to the gateway
 * with an API key, exactly as the upload script does (multipart upload-file of _control and the data
 * file, then start-sync); the first run is held by the safety check (nothing applied before) and
 * approved through RunService.ApplyRun, as an admin would. Phases: first import, re-sync with 1%
 * changed, re-sync with nothing changed. For each: upload time, then the time from start-sync (or the
 * approval) to `complete`, end to end (upload + run; a held run's preview apart), rows/s, the worker's CPU and peak RSS
 * (VmHWM), beside the floor measured in the same run (floor.ts) and the store's own PUT speed.
 *
 *   node --conditions=source --import tsx bench/pipeline.bench.ts --users 100000
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commonV1, keysV1, runsV1 } from '@usersync/contracts';
import { parseControlFile } from '@usersync/control-file';
import {
  createGrpcClient,
  createLogger,
  createObjectStore,
  createPool,
  runMigrations,
  unary,
} from '@usersync/platform';
import {
  LOCAL_POSTGRES_URL,
  createDatabase,
  dropDatabase,
  freePort,
  SERVICES,
  startNatsServer,
} from '@usersync/devstack';
import { rawPutSpeed, startBenchStore } from './bench-store.js';
import { copyFloor, parseAndHashFloor, writeFloorRows } from './floor.js';
import { benchConfig, benchControl, writeFeed } from './feed-generator.js';
import { scimThroughput } from './scim-throughput.js';
import {
  cpuMs,
  mainThreadCpuMs,
  newestRunId,
  peakRss,
  postgresCpuMeter,
  startService,
  until,
  uploader,
  watchTimings,
} from './pipeline-support.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg('users', 100_000);
/** SCIM throughput: this many users created, then patched, by 8 concurrent clients (0 skips it). */
const SCIM_USERS = arg('scim-users', 4_000);
if (!Number.isInteger(USERS) || USERS < 1) throw new Error(`--users must be a positive whole number (got ${USERS})`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const work = mkdtempSync(join(tmpdir(), 'usersync-bench-'));
const adminUrl = process.env.DATABASE_ADMIN_URL ?? LOCAL_POSTGRES_URL;
const dbName = `usersync_bench_${Date.now()}`;
const log = createLogger({ service: 'bench', level: 'warn' });

const ADMIN = { kind: commonV1.ActorKind.ACTOR_KIND_ADMIN, id: 'bench', displayName: 'Bench admin' };

async function main() {
  console.log(`usersync pipeline bench: ${fmt(USERS)} users through key-service, ingest-gateway and apply-worker`);
  const dbUrl = await createDatabase(adminUrl, dbName);
  // The store in its own process: MinIO when a binary is installed, s3rver otherwise (bench-store.ts).
  const s3 = await startBenchStore(join(work, 's3'));
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
  const children: ChildProcess[] = [];
  try {
    await runMigrations(pool, { owner: 'runs', dir: join(root, 'services/ingest-gateway/migrations'), log });
    await pool.query(`INSERT INTO runs.sync_config (id, config) VALUES (true, $1)`, [JSON.stringify(benchConfig)]);
    await createObjectStore({ ...s3, bucket: 'bench' }).ensureBucket();
    const shared = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: dbUrl,
      NATS_URL: nats.url,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: 'bench',
      LOG_LEVEL: 'warn',
    };
    const [keyGrpc, keyHealth, gatewayHttp, gatewayGrpc, workerHealth] = await Promise.all(
      Array.from({ length: 5 }, () => freePort()),
    );
    const keyService = startService('key-service', 'services/key-service', {
      ...shared,
      GRPC_PORT: String(keyGrpc),
      HEALTH_PORT: String(keyHealth),
    });
    const gateway = startService('ingest-gateway', 'services/ingest-gateway', {
      ...shared,
      HTTP_PORT: String(gatewayHttp),
      GRPC_PORT: String(gatewayGrpc),
      KEY_SERVICE_ADDR: `127.0.0.1:${keyGrpc}`,
      // A 5M-user feed is about 1.1 GB, past the 1 GiB default: room for the feed plus its multipart framing.
      MAX_UPLOAD_BYTES: String(Math.max(2 ** 30, 2 * 230 * USERS)),
    });
    // BENCH_CPU_PROF=<dir>: the worker writes a V8 CPU profile there when it exits.
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    // The worker's own V8 options (its heap cap) as deployed, then BENCH_WORKER_NODE_FLAGS: extra
    // node/V8 flags for this bench (e.g. --max-semi-space-size=32; a later flag wins).
    const workerSpec = SERVICES.find((s) => s.name === 'apply-worker')!;
    const flags = [workerSpec.nodeOptions ?? '', process.env.BENCH_WORKER_NODE_FLAGS ?? '']
      .join(' ')
      .split(' ')
      .filter(Boolean);
    const worker = startService(
      'apply-worker',
      'services/apply-worker',
      {
        ...shared,
        HEALTH_PORT: String(workerHealth),
        // info: the worker logs each run's phase timings ('run processed'), which the bench prints.
        LOG_LEVEL: process.env.WORKER_LOG_LEVEL ?? 'info',
        // Transform worker threads (0 = on the worker's main thread); passed through when set.
        ...(process.env.APPLY_TRANSFORM_THREADS
          ? { APPLY_TRANSFORM_THREADS: process.env.APPLY_TRANSFORM_THREADS }
          : {}),
      },
      [...prof, ...flags],
    );
    children.push(keyService, gateway, worker);
    const timings = watchTimings(worker);
    for (const port of [keyHealth, gatewayHttp, workerHealth]) {
      await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 60_000);
    }
    const keys = createGrpcClient(keysV1.KeyServiceClient, `127.0.0.1:${keyGrpc}`);
    const runs = createGrpcClient(runsV1.RunServiceClient, `127.0.0.1:${gatewayGrpc}`, { deadlineMs: 30_000 });
    const created = (await unary(keys, 'createKey', {
      name: 'bench upload script',
      scopes: ['sync:upload'],
      expiresAt: undefined,
      actor: ADMIN,
    })) as keysV1.CreateKeyResponse;
    const scimKey = (await unary(keys, 'createKey', {
      name: 'bench identity provider',
      scopes: ['scim'],
      expiresAt: undefined,
      actor: ADMIN,
    })) as keysV1.CreateKeyResponse;
    keys.close();
    const upload = uploader(`http://127.0.0.1:${gatewayHttp}`, created.secret);

    const files = {
      control: join(work, '_control.json'),
      first: join(work, 'first.json'),
      changed: join(work, 'changed.json'),
      floorRows: join(work, 'floor-rows.tsv'),
    };
    writeFileSync(files.control, JSON.stringify(benchControl));
    await writeFeed(files.first, USERS);
    // 1% of users get a new job title.
    await writeFeed(files.changed, USERS, (n) => (n % 100 === 7 ? 1 : 0));
    console.log(`feed: ${(statSync(files.first).size / 1e6).toFixed(1)} MB JSON, 12 instructions`);

    await writeFloorRows(files.floorRows, USERS);
    const floorLoad = load();
    const floorParse = await parseAndHashFloor(files.first, USERS);
    const floorCopy = await copyFloor(pool, files.floorRows);
    const floor = floorParse + floorCopy;
    console.log(
      `floor ${secs(floor)}: parse+hash ${secs(floorParse)}, COPY into an indexed table ${secs(floorCopy)}  (load ${floorLoad})`,
    );
    const rawPut = await rawPutSpeed(s3, 'bench', files.first);
    console.log(`store (${s3.kind}) raw PUT of the feed: ${rawPut.toFixed(0)} MB/s  (load ${load()})`);

    const phases: Array<[string, string]> = [
      ['first import', files.first],
      ['re-sync 1% changed', files.changed],
      ['re-sync no change', files.changed],
    ];
    // CPU seconds of the worker (all threads, and its JavaScript thread alone) and of PostgreSQL.
    const postgresCpu = postgresCpuMeter();
    const cpuNow = () => ({ worker: cpuMs(worker.pid!), main: mainThreadCpuMs(worker.pid!), pg: postgresCpu.ms() });
    const cpuSince = (a: ReturnType<typeof cpuNow>, b = cpuNow()) =>
      `worker CPU ${secs(b.worker - a.worker)} (main thread ${secs(b.main - a.main)}), PostgreSQL CPU ${secs(b.pg - a.pg)}`;
    for (const [name, path] of phases) {
      const phaseLoad = load();
      const uploadStarted = Date.now();
      await upload.file('_control', files.control);
      await upload.file('people', path);
      const uploadMs = Date.now() - uploadStarted;
      let cpuBefore = cpuNow();
      let started = Date.now();
      let planMs = 0;
      const message = await upload.startSync();
      const runId = await newestRunId(pool);
      if (message.includes('must apply manually')) {
        // start-sync held it: the worker plans it first (an admin decides on a preview), then it is approved.
        await until(async () => {
          const { rows } = await pool.query('SELECT status, plan_digest FROM runs.run WHERE id = $1', [runId]);
          if (rows[0].status !== 'held') throw new Error(`run ${runId}: ${rows[0].status} while planning its hold`);
          return rows[0].plan_digest !== null;
        }, 3_600_000);
        planMs = Date.now() - started;
        console.log(
          `${`${name} (plan held)`.padEnd(20)} ${secs(planMs).padStart(8)}  until the preview is stored; ${cpuSince(cpuBefore)}`,
        );
        cpuBefore = cpuNow();
        await timings.next(runId);
        started = Date.now();
        await unary(runs, 'applyRun', { runId, actor: ADMIN, scope: undefined, reason: '' });
      }
      await until(async () => {
        const { rows } = await pool.query('SELECT status FROM runs.run WHERE id = $1', [runId]);
        if (rows[0].status === 'failure' || rows[0].status === 'held')
          throw new Error(`run ${runId}: ${rows[0].status}`);
        return rows[0].status === 'complete';
      }, 3_600_000);
      const ms = Date.now() - started;
      const cpu = cpuSince(cpuBefore);
      const { rows } = await pool.query('SELECT counts FROM runs.run WHERE id = $1', [runId]);
      const mb = statSync(path).size / 1e6;
      // End to end: the upload and the run (for a held run: after the approval; its preview is shown apart).
      const e2e = uploadMs + ms;
      const preview = planMs > 0 ? ` (+ held preview ${secs(planMs)}: ${((e2e + planMs) / floor).toFixed(1)}×)` : '';
      console.log(
        `${name.padEnd(20)} ${secs(ms).padStart(8)}  ${fmt((USERS * 1000) / ms).padStart(9)} rows/s  ` +
          `end to end ${secs(e2e)} = ${(e2e / floor).toFixed(1)}× floor (${secs(floor)})${preview}  ${cpu}  ` +
          `RSS so far ${peakRss(worker.pid!)} MiB  (load ${phaseLoad})  counts ${JSON.stringify(rows[0].counts)}`,
      );
      const phaseMs = await timings.next(runId);
      console.log(
        `  upload ${secs(uploadMs)} (${(mb / (uploadMs / 1000)).toFixed(0)} MB/s; "${message}")  worker phases: ${Object.entries(
          phaseMs,
        )
          .map(([k, v]) => `${k} ${secs(v)}`)
          .join(', ')}`,
      );
    }
    runs.close();
    postgresCpu.stop();
    console.log(`worker peak RSS (VmHWM): ${peakRss(worker.pid!)} MiB`);
    if (SCIM_USERS > 0)
      for (const r of await scimThroughput(`http://127.0.0.1:${gatewayHttp}`, scimKey.secret, SCIM_USERS, 8))
        console.log(
          `SCIM ${r.kind.padEnd(17)} ${fmt(r.operations)} by 8 clients: ${fmt(r.perSecond)}/s  p50 ${r.p50Ms.toFixed(1)} ms  p95 ${r.p95Ms.toFixed(1)} ms`,
        );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await pool.end();
    await nats.stop();
    await s3.stop();
    await dropDatabase(adminUrl, dbName);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Starts a service from its src/main.ts (as `npm start` and the system tests do); stderr is shown. */
parseControlFile(JSON.stringify(benchControl)); // fail fast on a broken bench control file
await main();
