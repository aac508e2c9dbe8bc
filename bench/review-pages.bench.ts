/**
 * Response time of the review pages at scale (issue 16, item 5: p95 ≤ 50 ms with a 1M-user directory and 10k
 * runs). Setup, not timed: a fresh database with every owner's migrations (`usersync migrate`), filled with
 * set-based SQL (review-pages-data.ts): N users in the directory, R finished runs, and one held run with a
 * stored plan of ~N rows and a log of ~N lines; VACUUM ANALYZE. Then key-service, ingest-gateway,
 * lookup-service and the portal start as real processes (src/main.ts each), the bench signs in through the
 * login form once, and times sequential GETs of each page through portal → gRPC → PostgreSQL.
 *
 *   node --conditions=source --import tsx bench/review-pages.bench.ts [--users 1000000] [--runs 10000] [--requests 200]
 *
 * Switches: --keep (leave the database for EXPLAIN; its name is printed), BENCH_PG_LOG_MS=<ms> (PostgreSQL logs
 * this database's statements slower than that), BENCH_AUTO_EXPLAIN_MS=<ms> (auto_explain logs their plans with
 * ANALYZE and BUFFERS), both to the server log; DATABASE_ADMIN_URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@usersync/cli';
import { createLogger, createPool } from '@usersync/platform';
import { LOCAL_POSTGRES_URL, createDatabase, dropDatabase } from '@usersync/devstack';
import { benchConfig } from './feed-generator.js';
import { fillDirectory, fillRuns } from './review-pages-data.js';
import { olderRunsToken, quantile, signIn, startStack, timePage, type PageTiming } from './review-pages-support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg('users', 1_000_000);
const RUNS = arg('runs', 10_000);
const REQUESTS = arg('requests', 200);
const WARMUP = 10;
const KEEP = process.argv.includes('--keep');
const TARGET_MS = 50;
for (const [k, v] of Object.entries({ users: USERS, runs: RUNS, requests: REQUESTS }))
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive whole number (got ${v})`);
if (USERS < 100) throw new Error('--users must be at least 100 (the plan blocks every 50th user)');

const adminUrl = process.env.DATABASE_ADMIN_URL ?? LOCAL_POSTGRES_URL;
const dbName = `usersync_review_bench_${Date.now()}`;
const log = createLogger({ service: 'bench', level: 'warn' });
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
/** A user number the issue names (u654321), or the same fraction of a smaller directory. */
const user = (n: number) => (n <= USERS ? n : Math.max(1, Math.floor((n * USERS) / 1_000_000)));

async function setUp(dbUrl: string) {
  const pool = createPool(dbUrl, { max: 2 });
  try {
    const db = `"${dbName}"`;
    if (process.env.BENCH_PG_LOG_MS)
      await pool.query(`ALTER DATABASE ${db} SET log_min_duration_statement = ${Number(process.env.BENCH_PG_LOG_MS)}`);
    if (process.env.BENCH_AUTO_EXPLAIN_MS) {
      await pool.query(`ALTER DATABASE ${db} SET session_preload_libraries = 'auto_explain'`);
      await pool.query(
        `ALTER DATABASE ${db} SET auto_explain.log_min_duration = ${Number(process.env.BENCH_AUTO_EXPLAIN_MS)}`,
      );
      await pool.query(`ALTER DATABASE ${db} SET auto_explain.log_analyze = on`);
      await pool.query(`ALTER DATABASE ${db} SET auto_explain.log_buffers = on`);
    }
    await migrate(dbUrl, log);
    await pool.query(`INSERT INTO runs.sync_config (id, config) VALUES (true, $1)`, [JSON.stringify(benchConfig)]);
    await fillDirectory(pool, USERS);
    const data = await fillRuns(pool, USERS, RUNS);
    const started = performance.now();
    await pool.query('VACUUM (ANALYZE)');
    console.log(
      `  ${'VACUUM (ANALYZE)'.padEnd(44)} ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s`,
    );
    const { rows } = await pool.query<{ size: string }>(
      'SELECT pg_size_pretty(pg_database_size(current_database())) AS size',
    );
    console.log(
      `  big run ${data.bigRunId}: ${fmt(data.planRows)} plan rows, ${fmt(data.logLines)} log lines; database ${rows[0]!.size}`,
    );
    return data;
  } finally {
    await pool.end();
  }
}

function report(timings: PageTiming[]) {
  const width = Math.max(...timings.map((t) => t.name.length));
  console.log(
    `\n${'page'.padEnd(width)}  ${'p50 ms'.padStart(7)}  ${'p95 ms'.padStart(7)}  ${'max ms'.padStart(7)}  target ${TARGET_MS} ms`,
  );
  for (const t of timings) {
    const p95 = quantile(t.ms, 0.95);
    console.log(
      `${t.name.padEnd(width)}  ${quantile(t.ms, 0.5).toFixed(1).padStart(7)}  ${p95.toFixed(1).padStart(7)}  ` +
        `${t.ms[t.ms.length - 1]!.toFixed(1).padStart(7)}  ${p95 <= TARGET_MS ? 'OK' : 'OVER'}   (${fmt(t.bytes)} bytes)`,
    );
  }
}

async function main() {
  console.log(
    `usersync review-pages bench: ${fmt(USERS)} users, ${fmt(RUNS)} finished runs + 1 held run, ` +
      `${REQUESTS} requests a page after ${WARMUP} warm-ups`,
  );
  const work = mkdtempSync(join(tmpdir(), 'usersync-review-bench-'));
  const dbUrl = await createDatabase(adminUrl, dbName);
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  try {
    const setupStarted = performance.now();
    const { bigRunId } = await setUp(dbUrl);
    console.log(`setup (not timed): ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
    stack = await startStack(dbUrl, work, log);
    const older = await olderRunsToken(stack.runService, Math.floor(RUNS / 2));
    const cookie = await signIn(stack.portal);
    const [lookupUser, logUser, prefix] = [`u${user(654321)}`, `u${user(123456)}`, `u${user(12345)}`];
    const run = `/runs/${bigRunId}`;
    const pages = [
      { name: 'run page', path: run, expect: `Sync run ${bigRunId}` },
      { name: 'plan', path: `${run}/plan`, expect: 'u1' },
      { name: 'plan ?action=block', path: `${run}/plan?action=block`, expect: 'u100' },
      { name: `plan ?q=${prefix}`, path: `${run}/plan?q=${prefix}`, expect: prefix },
      { name: `log ?username=${logUser}`, path: `${run}/log?username=${logUser}`, expect: `update ${logUser}` },
      { name: 'log ?level=error', path: `${run}/log?level=error`, expect: 'ERROR: Invalid email address' },
      { name: 'runs list /', path: '/', expect: `/runs/${bigRunId}` },
      { name: `runs list, ${fmt(RUNS / 2)} back`, path: `/?page=${encodeURIComponent(older)}`, expect: '/runs/' },
      {
        name: `user lookup ?q=${lookupUser}`,
        path: `/users/lookup?q=${lookupUser}`,
        expect: `${lookupUser}@example.org`,
      },
    ];
    const startLoad = load();
    console.log(`\nload average at the start: ${startLoad}`);
    const timings: PageTiming[] = [];
    for (const page of pages) timings.push(await timePage(stack.portal, cookie, page, REQUESTS, WARMUP));
    const endLoad = load();
    report(timings);
    console.log(`\nload average (1, 5, 15 min): start ${startLoad}, end ${endLoad}`);
    const over = timings.filter((t) => quantile(t.ms, 0.95) > TARGET_MS).map((t) => t.name);
    console.log(over.length ? `over ${TARGET_MS} ms at p95: ${over.join('; ')}` : `every page within ${TARGET_MS} ms`);
  } finally {
    await stack?.stop();
    if (KEEP) console.log(`database kept: ${dbUrl}`);
    else await dropDatabase(adminUrl, dbName);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
