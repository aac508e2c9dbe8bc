import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { Streams } from '@usersync/contracts';
import {
  createHealthServer,
  createOutboxRelay,
  ensureConsumer,
  openDatabase,
  openObjectStore,
  runConsumer,
  type ConsumerLoop,
  openMessaging,
  readinessChecks,
  type ServiceApp,
} from '@usersync/platform';
import type { Config } from './config.js';
import { runQueuedHandler } from './handlers/run-queued.handler.js';

export const SERVICE = 'apply-worker';
/** The schema this service owns. */
export const OWNER = 'directory';
/** Durable consumer of sync.run.queued. */
export const CONSUMER = 'apply-worker';
const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** A run that keeps failing transiently is retried this often, then dropped (it stays `running`). */
const MAX_DELIVER = 10;

/**
 * Wires apply-worker: schema `directory`, its outbox relay (run outcomes, user changes), the run
 * files in S3 and the durable consumer of sync.run.queued (one run at a time per replica; the
 * apply lock serialises replicas).
 */
export async function createApp(config: Config, log: Logger): Promise<ServiceApp> {
  const pool = await openDatabase({
    url: config.DATABASE_URL,
    service: SERVICE,
    log,
    owner: { name: OWNER, migrationsDir: MIGRATIONS },
  });
  const { nc, js, jsm } = await openMessaging({
    url: config.NATS_URL,
    service: SERVICE,
    log,
    streams: [Streams.SYNC_RUNS, Streams.SYNC_DIRECTORY],
  });
  await ensureConsumer(jsm, {
    stream: Streams.SYNC_RUNS.name,
    durable: CONSUMER,
    filterSubject: 'sync.run.queued',
    ackWaitMs: config.APPLY_ACK_WAIT_MS,
    maxDeliver: MAX_DELIVER,
  });
  const objects = await openObjectStore(config);
  const relay = createOutboxRelay({ pool, owner: OWNER, js, log });
  const health = createHealthServer({
    port: config.HEALTH_PORT,
    log,
    checks: { postgres: readinessChecks.postgres(pool), nats: readinessChecks.nats(nc), s3: () => objects.ping() },
  });
  let consumer: ConsumerLoop | undefined;
  return {
    async start() {
      relay.start();
      await health.listen();
      consumer = await runConsumer({
        js,
        stream: Streams.SYNC_RUNS.name,
        durable: CONSUMER,
        handler: runQueuedHandler({
          pool,
          objects,
          log,
          userEventCap: config.USER_EVENT_CAP,
          transformThreads: config.APPLY_TRANSFORM_THREADS,
        }),
        log,
      });
    },
    async stop() {
      health.notReady();
      await consumer?.stop();
      await relay.stop();
      await nc.drain();
      await pool.end();
      await health.close();
    },
  };
}
