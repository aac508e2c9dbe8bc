import type { Logger } from 'pino';
import { Streams, keysV1 } from '@usersync/contracts';
import {
  createGrpcServer,
  createHealthServer,
  createOutboxRelay,
  openDatabase,
  openMessaging,
  readinessChecks,
  type ServiceApp,
} from '@usersync/platform';
import type { Config } from './config.js';
import { createKeyServiceHandlers } from './handlers/key-service.handlers.js';
import { MIGRATIONS_DIR, OWNER } from './store/schema.js';

export { OWNER } from './store/schema.js';
/** The service name: logger binding, NATS connection name, pg application_name. */
export const SERVICE = 'key-service';
/** Full proto name of the served service (also its health-check key). */
export const KEY_SERVICE_NAME = 'usersync.keys.v1.KeyService';

/** Wires key-service: schema `keys`, its outbox relay (sync.key.revoked) and the gRPC server. */
export async function createApp(config: Config, log: Logger): Promise<ServiceApp> {
  const pool = await openDatabase({
    url: config.DATABASE_URL,
    service: SERVICE,
    log,
    owner: { name: OWNER, migrationsDir: MIGRATIONS_DIR },
  });
  const { nc, js } = await openMessaging({ url: config.NATS_URL, service: SERVICE, log, streams: [Streams.SYNC_KEYS] });
  const relay = createOutboxRelay({ pool, owner: OWNER, js, log });
  const grpc = createGrpcServer({
    port: config.GRPC_PORT,
    log,
    services: [
      {
        definition: keysV1.KeyServiceService,
        implementation: createKeyServiceHandlers({ pool }),
        name: KEY_SERVICE_NAME,
      },
    ],
  });
  const health = createHealthServer({
    port: config.HEALTH_PORT,
    log,
    checks: { postgres: readinessChecks.postgres(pool), nats: readinessChecks.nats(nc) },
  });
  return {
    async start() {
      relay.start();
      await grpc.start();
      await health.listen();
    },
    async stop() {
      health.notReady();
      await grpc.stop(5_000);
      await relay.stop();
      await nc.drain();
      await pool.end();
      await health.close();
    },
  };
}
