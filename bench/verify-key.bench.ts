/**
 * VerifyKey throughput: the real key-service (createApp) on a fresh database and a private
 * nats-server, one key, then verifications for a fixed time each through
 *   - the cached verifier of @usersync/platform (what HTTP services use; target ≥ 5,000/s), and
 *   - plain gRPC VerifyKey (every call hashes, queries PostgreSQL and answers over the wire),
 * at concurrency 1 and 32, and how long a revocation takes to reach the cache.
 *
 *   node --conditions=source --import tsx bench/verify-key.bench.ts [--seconds 3]
 *
 * PostgreSQL: the admin URL in USERSYNC_BENCH_PG_ADMIN_URL, else the local server (postgres@127.0.0.1:5432).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { commonV1, decodeEvent, keysV1 } from '@usersync/contracts';
import { connectNats, createGrpcClient, unary } from '@usersync/platform';
import { LOCAL_POSTGRES_URL, createDatabase, dropDatabase, freePort, startNatsServer } from '@usersync/devstack';
import { createApp, loadConfig } from '@usersync/key-service';
// Through the module path so the bench runs before the platform barrel re-exports auth.
import { createKeyVerifier, natsRevocations } from '@usersync/platform';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' } } });
const seconds = Number(values.seconds);
const log = pino({ level: 'warn' });
const actor = { kind: commonV1.ActorKind.ACTOR_KIND_SYSTEM, id: 'bench', displayName: 'verify-key bench' };

interface Row {
  path: string;
  concurrency: number;
  calls: number;
  perSecond: number;
  p50us: number;
  p99us: number;
}

/** Runs `fn` from `concurrency` loops for `ms` milliseconds; every answer must be valid. */
async function measure(
  path: string,
  concurrency: number,
  ms: number,
  fn: () => Promise<{ valid: boolean }>,
): Promise<Row> {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const answer = await fn();
        latencies.push(performance.now() - t);
        if (!answer.valid) throw new Error(`${path}: the key was refused`);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0) * 1000);
  return {
    path,
    concurrency,
    calls: latencies.length,
    perSecond: latencies.length / elapsed,
    p50us: pct(0.5),
    p99us: pct(0.99),
  };
}

function printTable(rows: Row[]): void {
  const header = ['path', 'concurrency', 'calls', 'verifications/s', 'p50 µs', 'p99 µs'];
  const cells = rows.map((r) => [
    r.path,
    String(r.concurrency),
    String(r.calls),
    Math.round(r.perSecond).toLocaleString('en-US'),
    String(r.p50us),
    String(r.p99us),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

async function main(): Promise<void> {
  const adminUrl = process.env.USERSYNC_BENCH_PG_ADMIN_URL ?? LOCAL_POSTGRES_URL;
  const dbName = `usersync_bench_${randomBytes(4).toString('hex')}`;
  const databaseUrl = await createDatabase(adminUrl, dbName);
  const nats = await startNatsServer();
  const grpcPort = await freePort();
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    NATS_URL: nats.url,
    GRPC_PORT: String(grpcPort),
    HEALTH_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  });
  const app = await createApp(config, log);
  await app.start();
  const client = createGrpcClient(keysV1.KeyServiceClient, `127.0.0.1:${grpcPort}`);
  const nc = await connectNats({ url: nats.url, name: 'verify-key-bench', log });
  try {
    // Explicit type arguments: `unary` does not infer the method name's literal type for ts-proto clients.
    type Client = keysV1.KeyServiceClient;
    const { key, secret } = await unary<Client, 'createKey'>(client, 'createKey', {
      name: 'bench',
      scopes: [],
      expiresAt: undefined,
      actor,
    });
    const grpcVerify = (s: string, scope: string) =>
      unary<Client, 'verifyKey'>(client, 'verifyKey', { secret: s, requiredScope: scope });
    const verifier = createKeyVerifier({
      verify: grpcVerify,
      revocations: natsRevocations(nc, { decodeKeyId: (d) => decodeEvent('sync.key.revoked', d).keyId, log }),
    });
    await nc.flush();

    // Warm up connections and JIT before measuring.
    await measure('warm-up', 4, 500, () => grpcVerify(secret, 'sync:upload'));
    const ms = seconds * 1000;
    const rows = [
      await measure('cached verifier', 1, ms, () => verifier.verify(secret, 'sync:upload')),
      await measure('cached verifier', 32, ms, () => verifier.verify(secret, 'sync:upload')),
      await measure('gRPC VerifyKey', 1, ms, () => grpcVerify(secret, 'sync:upload')),
      await measure('gRPC VerifyKey', 32, ms, () => grpcVerify(secret, 'sync:upload')),
    ];
    console.log(
      `\nVerifyKey throughput (${seconds} s per row; one key; target ≥ 5,000/s through the cached verifier)\n`,
    );
    printTable(rows);
    const stats = verifier.stats();
    console.log(`\ncached verifier: ${stats.hits} hits, ${stats.misses} misses`);

    // Revocation to refusal through the outbox, JetStream and the core subscription.
    const revokedAt = performance.now();
    await unary<Client, 'revokeKey'>(client, 'revokeKey', { keyId: key!.id, actor });
    for (;;) {
      if (!(await verifier.verify(secret, 'sync:upload')).valid) break;
      if (performance.now() - revokedAt > 10_000) throw new Error('revocation did not reach the cache in 10 s');
      await new Promise((r) => setTimeout(r, 1));
    }
    console.log(`revocation → cached verifier refuses: ${Math.round(performance.now() - revokedAt)} ms`);
    const best = Math.max(...rows.filter((r) => r.path === 'cached verifier').map((r) => r.perSecond));
    console.log(best >= 5_000 ? 'PASS cached ≥ 5,000/s' : 'FAIL cached < 5,000/s');
    verifier.close();
  } finally {
    client.close();
    await nc.close();
    await app.stop();
    await nats.stop();
    await dropDatabase(adminUrl, dbName);
  }
}

await main();
