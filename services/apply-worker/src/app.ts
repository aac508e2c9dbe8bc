import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { Streams } from '@usersync/contracts';
import { defineService, type DeclaredService } from '@usersync/platform';
import type { Config } from './config.js';
import { runQueuedHandler } from './handlers/run-queued.handler.js';
import { recycleTask } from './usecases/recycle-timer.js';

export const SERVICE = 'apply-worker';
/** The schema this service owns. */
export const OWNER = 'directory';
/** Durable consumer of sync.run.queued. */
export const CONSUMER = 'apply-worker';
const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** A run that keeps failing transiently is retried this often, then dropped (it stays `running`). */
const MAX_DELIVER = 10;

/**
 * apply-worker: schema `directory`, its outbox relay (run outcomes, user changes), the run files in
 * S3 and the durable consumer of sync.run.queued (one run at a time per replica; the apply lock
 * serialises replicas).
 */
export function createApp(config: Config, log: Logger): Promise<DeclaredService> {
  return defineService(
    {
      name: SERVICE,
      log,
      database: { url: config.DATABASE_URL, owner: { name: OWNER, migrationsDir: MIGRATIONS } },
      messaging: { url: config.NATS_URL, streams: [Streams.SYNC_RUNS, Streams.SYNC_DIRECTORY] },
      objectStore: config,
      relayOutbox: true,
    },
    ({ pool, objects }) => ({
      consumers: [
        {
          stream: Streams.SYNC_RUNS.name,
          durable: CONSUMER,
          filterSubject: 'sync.run.queued',
          ackWaitMs: config.APPLY_ACK_WAIT_MS,
          maxDeliver: MAX_DELIVER,
          handler: runQueuedHandler({
            pool,
            objects,
            log,
            userEventCap: config.USER_EVENT_CAP,
            transformThreads: config.APPLY_TRANSFORM_THREADS,
          }),
        },
      ],
      healthPort: config.HEALTH_PORT,
      // The recycle bin's timer: users past the grace period are kept, anonymised or deleted as configured.
      tasks:
        config.APPLY_RECYCLE_CHECK_MS > 0
          ? [recycleTask({ pool, log, userEventCap: config.USER_EVENT_CAP }, config.APPLY_RECYCLE_CHECK_MS)]
          : [],
    }),
  );
}
