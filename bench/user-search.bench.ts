/**
 * User search at scale (issue 17 item 4): SearchUsers through the real lookup-service over gRPC with a
 * directory of N users (default 1,000,000) whose names are realistic enough that a name prefix matches
 * many people: 120 first names, ~1,800 last names built from syllables, usernames "first initial + last
 * name + number", emails "first.last<n>@<one of 5 domains>". Setup (not timed): apply-worker's migrations
 * (007 adds the search indexes), set-based INSERT, VACUUM ANALYZE. Then sequential searches of each kind,
 * one page of 25 each, with p50/p95/max.
 *
 *   node --conditions=source --import tsx bench/user-search.bench.ts [--users 1000000] [--searches 200] [--keep]
 *
 * --keep leaves the database (its name is printed) for EXPLAIN.
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
const SEARCHES = arg('searches', 200);
const adminUrl = process.env.DATABASE_ADMIN_URL ?? LOCAL_POSTGRES_URL;
const dbName = `usersync_search_bench_${Date.now()}`;
const log = createLogger({ service: 'bench', level: 'warn' });
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const FIRST = (
  'james mary robert patricia john jennifer michael linda david elizabeth william barbara richard susan joseph ' +
  'jessica thomas sarah charles karen christopher lisa daniel nancy matthew betty anthony margaret mark sandra ' +
  'donald ashley steven kimberly paul emily andrew donna joshua michelle kenneth carol kevin amanda brian dorothy ' +
  'george melissa timothy deborah ronald stephanie edward rebecca jason sharon jeffrey laura ryan cynthia jacob ' +
  'kathleen gary amy nicholas angela eric shirley jonathan anna stephen brenda larry pamela justin emma scott ' +
  'nicole brandon helen benjamin samantha samuel katherine gregory christine alexander debra frank rachel patrick ' +
  'carolyn raymond janet jack catherine dennis maria jerry heather tyler diane aaron ruth jose julie adam olivia ' +
  'henry joyce nathan virginia douglas victoria zachary kelly peter lauren'
).split(' ');
const SYLLABLES = [
  'smi',
  'john',
  'wil',
  'brow',
  'jon',
  'gar',
  'mil',
  'dav',
  'rod',
  'mar',
  'her',
  'lop',
  'gon',
  'wil',
  'and',
  'tho',
  'tay',
  'moo',
  'jack',
  'mart',
  'lee',
  'per',
  'thom',
  'whi',
  'har',
  'san',
  'cla',
  'ram',
  'lew',
  'rob',
  'walk',
  'you',
  'all',
  'king',
  'wri',
  'sco',
  'tor',
  'ngu',
  'hil',
  'flo',
  'gre',
  'ada',
  'nel',
  'bak',
];
const ENDINGS = [
  'son',
  'th',
  'ez',
  'er',
  'ley',
  'ton',
  'ford',
  'man',
  'ey',
  'ins',
  'well',
  'ock',
  'ard',
  'es',
  'ell',
  'ing',
  'sen',
  'ski',
  'ow',
  'ick',
  'ers',
  'a',
  'o',
  'by',
  'den',
  'ham',
  'ner',
  'is',
  'e',
  'an',
  'ett',
  'ier',
  'en',
  'oy',
  'ie',
  'ux',
  'ak',
  'oz',
  'ini',
  'aro',
  'ov',
];

async function main() {
  console.log(`usersync user search bench: ${USERS.toLocaleString('en-US')} users, ${SEARCHES} searches of each kind`);
  const dbUrl = await createDatabase(adminUrl, dbName);
  const pool = createPool(dbUrl, { max: 2 });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let client: lookupV1.LookupServiceClient | undefined;
  try {
    await runMigrations(pool, { owner: 'runs', dir: join(root, 'services/ingest-gateway/migrations'), log });
    await runMigrations(pool, { owner: 'directory', dir: join(root, 'services/apply-worker/migrations'), log });
    const t0 = performance.now();
    // Deterministic pseudo-random picks (hash of i) so every run of the bench has the same directory.
    await pool.query(
      `WITH p AS (
         SELECT i, $2::text[] AS f, $3::text[] AS s, $4::text[] AS e,
                abs(hashint4(i)) AS h1, abs(hashint4(i * 7 + 1)) AS h2, abs(hashint4(i * 13 + 5)) AS h3
         FROM generate_series(1, $1::int) i),
       n AS (
         SELECT i, initcap(f[1 + h1 % cardinality(f)]) AS first,
                initcap(s[1 + h2 % cardinality(s)] || e[1 + h3 % cardinality(e)]) AS last
         FROM p)
       INSERT INTO directory."user" (username, name_first, name_last, email, in_feed)
       SELECT lower(left(first, 1) || last) || i, first, last,
              lower(first || '.' || last) || i || '@' || (ARRAY['example.org','corp.example','uni.example','mail.example','dept.example'])[1 + i % 5],
              true
       FROM n`,
      [USERS, FIRST, SYLLABLES, ENDINGS],
    );
    await pool.query('VACUUM ANALYZE directory."user"');
    console.log(`  loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const { rows: sample } = await pool.query<{ username: string; email: string; first: string; last: string }>(
      `SELECT username, email, lower(name_first) AS first, lower(name_last) AS last FROM directory."user"
       TABLESAMPLE SYSTEM (1) REPEATABLE (42) LIMIT $1`,
      [SEARCHES],
    );

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
    const search = (query: string) =>
      unary<lookupV1.LookupServiceClient, 'searchUsers'>(c, 'searchUsers', { query, pageSize: 25, pageToken: '' });
    const kinds: Array<[string, (u: (typeof sample)[number]) => string]> = [
      ['username prefix (5 chars)', (u) => u.username.slice(0, 5)],
      ['email prefix (8 chars)', (u) => u.email.slice(0, 8)],
      ['last name prefix (3 letters)', (u) => u.last.slice(0, 3)],
      ['last name (whole)', (u) => u.last],
      ['first name (whole)', (u) => u.first],
      ['"first last"', (u) => `${u.first} ${u.last}`],
      ['one letter', (u) => u.first.slice(0, 1)],
    ];
    for (let i = 0; i < 20; i++) await search(sample[i % sample.length]!.last.slice(0, 3));
    for (const [label, pick] of kinds) {
      const times: number[] = [];
      let found = 0;
      for (const u of sample) {
        const t = performance.now();
        const res = await search(pick(u));
        times.push(performance.now() - t);
        found += res.users.length;
      }
      times.sort((a, b) => a - b);
      const ms = (n: number) => n.toFixed(1).padStart(6);
      console.log(
        `  ${label.padEnd(30)} p50 ${ms(quantile(times, 0.5))} ms  p95 ${ms(quantile(times, 0.95))} ms  max ${ms(times.at(-1)!)} ms  (avg ${(found / sample.length).toFixed(1)} results)`,
      );
    }
  } finally {
    client?.close();
    await app?.stop();
    await pool.end();
    if (process.argv.includes('--keep')) console.log(`  kept database ${dbName}`);
    else await dropDatabase(adminUrl, dbName);
  }
}

await main();
