import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { Streams } from '@usersync/contracts';
import {
  createHealthServer,
  ensureConsumer,
  openDatabase,
  openMessaging,
  readinessChecks,
  type ServiceApp,
} from '@usersync/platform';
import type { Config } from './config.js';

export const SERVICE = 'notify-worker';
/** The schema this service owns (deliveries). */
export const OWNER = 'notify';
/** Durable consumer of run outcomes (sync.run.>; NATS 2.9 allows one filter subject per consumer). */
export const CONSUMER = 'notify-worker';
const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Wires notify-worker: schema `notify` and its durable consumer of run outcomes. Sending reports
 * is issue 8; until then outcomes wait in the stream, nothing is dropped.
 */
export async function createApp(config: Config, log: Logger): Promise<ServiceApp> {
  const pool = await openDatabase({
    url: config.DATABASE_URL,
    service: SERVICE,
    log,
    owner: { name: OWNER, migrationsDir: MIGRATIONS },
  });
  const { nc, jsm } = await openMessaging({
    url: config.NATS_URL,
    service: SERVICE,
    log,
    streams: [Streams.SYNC_RUNS],
  });
  await ensureConsumer(jsm, { stream: Streams.SYNC_RUNS.name, durable: CONSUMER, filterSubject: 'sync.run.>' });
  const health = createHealthServer({
    port: config.HEALTH_PORT,
    log,
    checks: { postgres: readinessChecks.postgres(pool), nats: readinessChecks.nats(nc) },
  });
  return {
    async start() {
      await health.listen();
    },
    async stop() {
      health.notReady();
      await nc.drain();
      await pool.end();
      await health.close();
    },
  };
}
