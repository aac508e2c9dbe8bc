/**
 * LookupUser latency with a large directory (issue 7: < 20 ms median at 1,000,000 users). Bulk-inserts
 * users with generate_series (each with a sync membership, a history row and a last raw record), then
 * times lookups through the real lookup-service over gRPC: by username and by email, one at a time.
 *
 *   node --conditions=source --import tsx bench/lookup.bench.ts --users 1000000 --lookups 1000
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookupV1 } from '@usersync/contracts';
import { createGrpcClient, createLogger, createPool, runMigrations, unary } from '@usersync/platform';
import { LOCAL_POSTGRES_URL, createDatabase, dropDatabase, freePort } from '@usersync/devstack';
import { createApp, loadConfig } from '@usersync/lookup-service';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg('users', 1_000_000);
const LOOKUPS = arg('lookups', 1_000);
for (const [k, v] of Object.entries({ users: USERS, lookups: LOOKUPS }))
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive whole number (got ${v})`);

const adminUrl = process.env.DATABASE_ADMIN_URL ?? LOCAL_POSTGRES_URL;
const dbName = `usersync_lookup_bench_${Date.now()}`;
const log = createLogger({ service: 'bench', level: 'warn' });
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function main() {
  console.log(`usersync lookup bench: ${fmt(USERS)} users, ${fmt(LOOKUPS)} lookups each by username and by email`);
  const dbUrl = await createDatabase(adminUrl, dbName);
  const pool = createPool(dbUrl, { max: 2 });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let client: lookupV1.LookupServiceClient | undefined;
  try {
    await runMigrations(pool, { owner: 'runs', dir: join(root, 'services/ingest-gateway/migrations'), log });
    await runMigrations(pool, { owner: 'directory', dir: join(root, 'services/apply-worker/migrations'), log });
    const t0 = performance.now();
    await pool.query(
      `INSERT INTO runs.run (status, expected_files, finished_at) VALUES ('complete', '{_control}', now())`,
    );
    await pool.query(`INSERT INTO directory."group" (code, name, managed) VALUES ('staff', 'Staff', true)`);
    await pool.query(
      `INSERT INTO directory."user" (username, name_first, name_last, email, in_feed, tags, profile, desired_digest, last_run_id)
       SELECT 'user' || i, 'First' || i, 'Last' || i, 'User' || i || '@Example.org', true,
         jsonb_build_object('department', 'd' || (i % 50)), jsonb_build_object('std:attribute:job-title', jsonb_build_array('Clerk')),
         md5(i::text) || md5(i::text), 1
       FROM generate_series(1, $1::int) AS i`,
      [USERS],
    );
    await pool.query(
      `INSERT INTO directory.membership (user_id, group_code, source) SELECT id, 'staff', 'sync' FROM directory."user"`,
    );
    await pool.query(
      `INSERT INTO directory.history (run_id, user_id, action) SELECT 1, id, 'create' FROM directory."user"`,
    );
    await pool.query(
      `INSERT INTO directory.last_record (user_id, run_id, record, record_digest)
       SELECT id, 1, jsonb_build_object('ID', username, 'EMAIL', email), md5(username) FROM directory."user"`,
    );
    await pool.query('VACUUM ANALYZE');
    console.log(`  loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const [grpcPort, healthPort] = [await freePort(), await freePort()];
    app = await createApp(
      loadConfig({
        DATABASE_URL: dbUrl,
        GRPC_PORT: String(grpcPort),
        HEALTH_PORT: String(healthPort),
        LOG_LEVEL: 'warn',
      }),
      log,
    );
    await app.start();
    client = createGrpcClient(lookupV1.LookupServiceClient, `127.0.0.1:${grpcPort}`);
    const c = client;
    const lookup = (query: string) => unary<lookupV1.LookupServiceClient, 'lookupUser'>(c, 'lookupUser', { query });
    for (let i = 0; i < 20; i++) await lookup(`user${i + 1}`); // warm the connection and pool

    for (const kind of ['username', 'email'] as const) {
      const times: number[] = [];
      for (let i = 0; i < LOOKUPS; i++) {
        const n = 1 + Math.floor(Math.random() * USERS);
        const q = kind === 'username' ? `  USER${n} ` : `user${n}@EXAMPLE.org`;
        const start = performance.now();
        const res = await lookup(q);
        times.push(performance.now() - start);
        if (res.matches.length !== 1) throw new Error(`lookup of ${q} found ${res.matches.length} users`);
      }
      times.sort((a, b) => a - b);
      console.log(
        `  by ${kind.padEnd(8)}: median ${quantile(times, 0.5).toFixed(2)} ms, p95 ${quantile(times, 0.95).toFixed(2)} ms, max ${times[times.length - 1]!.toFixed(2)} ms`,
      );
    }
  } finally {
    client?.close();
    await app?.stop();
    await pool.end();
    await dropDatabase(adminUrl, dbName);
  }
}

await main();
