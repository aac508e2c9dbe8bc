/**
 * Upload speed through the real ingest-gateway (issue 21 item 2): a pre-generated feed file uploaded
 * as the upload script does (multipart upload-file with an API key), several rounds, each into a
 * fresh run (the previous one is cancelled through RunService), beside the store's own raw PUT speed.
 * The store runs in its own process (bench-store.ts: MinIO when installed, s3rver otherwise).
 *
 *   node --conditions=source --import tsx bench/upload.bench.ts [--users 2500000] [--rounds 3]
 *
 * BENCH_CPU_PROF=<dir>: the gateway writes a V8 CPU profile there when it exits.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commonV1, keysV1, runsV1 } from '@usersync/contracts';
import {
  createGrpcClient,
  createLogger,
  createObjectStore,
  createPool,
  runMigrations,
  unary,
} from '@usersync/platform';
import { LOCAL_POSTGRES_URL, createDatabase, dropDatabase, freePort, startNatsServer } from '@usersync/devstack';
import { libraryPutSpeed, rawPutSpeed, startBenchStore } from './bench-store.js';
import { benchConfig, benchControl, writeFeed } from './feed-generator.js';
import { cpuMs, newestRunId, startService, until, uploader } from './pipeline-support.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg('users', 2_500_000);
const ROUNDS = arg('rounds', 3);
const ADMIN = { kind: commonV1.ActorKind.ACTOR_KIND_ADMIN, id: 'bench', displayName: 'Bench admin' };
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const work = mkdtempSync(join(tmpdir(), 'usersync-upload-bench-'));
const adminUrl = process.env.DATABASE_ADMIN_URL ?? LOCAL_POSTGRES_URL;
const dbName = `usersync_upload_bench_${Date.now()}`;

async function main() {
  const dbUrl = await createDatabase(adminUrl, dbName);
  const store = await startBenchStore(join(work, 's3'));
  const nats = await startNatsServer({ storeDir: join(work, 'nats') });
  const pool = createPool(dbUrl, { max: 2 });
  const children: ChildProcess[] = [];
  try {
    const log = createLogger({ service: 'bench', level: 'warn' });
    await runMigrations(pool, { owner: 'runs', dir: join(root, 'services/ingest-gateway/migrations'), log });
    await pool.query(`INSERT INTO runs.sync_config (id, config) VALUES (true, $1)`, [JSON.stringify(benchConfig)]);
    await createObjectStore({ ...store, bucket: 'bench' }).ensureBucket();
    const shared = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: dbUrl,
      NATS_URL: nats.url,
      S3_ENDPOINT: store.endpoint,
      S3_ACCESS_KEY: store.accessKey,
      S3_SECRET_KEY: store.secretKey,
      S3_BUCKET: 'bench',
      LOG_LEVEL: 'warn',
      MAX_UPLOAD_BYTES: String(4 * 1024 ** 3),
    };
    const [keyGrpc, keyHealth, http, grpc] = await Promise.all(Array.from({ length: 4 }, () => freePort()));
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const keyService = startService('key-service', 'services/key-service', {
      ...shared,
      GRPC_PORT: String(keyGrpc),
      HEALTH_PORT: String(keyHealth),
    });
    const gateway = startService(
      'ingest-gateway',
      'services/ingest-gateway',
      { ...shared, HTTP_PORT: String(http), GRPC_PORT: String(grpc), KEY_SERVICE_ADDR: `127.0.0.1:${keyGrpc}` },
      prof,
    );
    children.push(keyService, gateway);
    for (const port of [keyHealth, http])
      await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 60_000);
    const keys = createGrpcClient(keysV1.KeyServiceClient, `127.0.0.1:${keyGrpc}`);
    const key = (await unary(keys, 'createKey', {
      name: 'bench upload script',
      scopes: ['sync:upload'],
      expiresAt: undefined,
      actor: ADMIN,
    })) as keysV1.CreateKeyResponse;
    keys.close();
    const runs = createGrpcClient(runsV1.RunServiceClient, `127.0.0.1:${grpc}`, { deadlineMs: 30_000 });
    const upload = uploader(`http://127.0.0.1:${http}`, key.secret);

    const control = join(work, '_control.json');
    // Two expected files: the run stays open after `people`, so it can be cancelled for the next round.
    writeFileSync(
      control,
      JSON.stringify({ ...benchControl, files: { ...benchControl.files, later: { read: 'json' } } }),
    );
    const feed = join(work, 'people.json');
    await writeFeed(feed, USERS);
    const mb = statSync(feed).size / 1e6;
    console.log(`upload bench: ${mb.toFixed(1)} MB feed (${USERS.toLocaleString('en-US')} users), store ${store.kind}`);
    const storeSpeeds = async () => {
      const cpu = cpuMs(store.pid);
      const raw = await rawPutSpeed(store, 'bench', feed);
      const rawCpu = (cpuMs(store.pid) - cpu) / 1000;
      const library = await libraryPutSpeed(store, 'bench-lib', feed);
      console.log(
        `store raw PUT ${raw.toFixed(0)} MB/s (store CPU ${rawCpu.toFixed(2)} s)  ` +
          `object store library putStream ${library.toFixed(0)} MB/s  (load ${load()})`,
      );
    };
    await createObjectStore({ ...store, bucket: 'bench-lib' }).ensureBucket();
    await storeSpeeds();
    for (let round = 1; round <= ROUNDS; round++) {
      await upload.file('_control', control);
      const cpuBefore = cpuMs(gateway.pid!);
      const storeCpuBefore = cpuMs(store.pid);
      const loadBefore = load();
      const clientCpu = process.cpuUsage();
      const started = performance.now();
      await upload.file('people', feed);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `round ${round}: gateway upload ${(mb / seconds).toFixed(0)} MB/s (${seconds.toFixed(2)} s)  ` +
          `gateway CPU ${((cpuMs(gateway.pid!) - cpuBefore) / 1000).toFixed(2)} s  ` +
          `store CPU ${((cpuMs(store.pid) - storeCpuBefore) / 1000).toFixed(2)} s  ` +
          `client CPU ${(Object.values(process.cpuUsage(clientCpu)).reduce((a, b) => a + b, 0) / 1e6).toFixed(2)} s  (load ${loadBefore})`,
      );
      await unary(runs, 'cancelRun', { runId: await newestRunId(pool), actor: ADMIN, reason: 'bench round' });
    }
    await storeSpeeds();
    runs.close();
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await pool.end();
    await nats.stop();
    await store.stop();
    await dropDatabase(adminUrl, dbName);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
