import type { Logger } from 'pino';
import { Streams, keysV1 } from '@usersync/contracts';
import { defineService, type DeclaredService } from '@usersync/platform';
import type { Config } from './config.js';
import { createKeyServiceHandlers } from './handlers/key-service.handlers.js';
import { MIGRATIONS_DIR, OWNER } from './store/schema.js';

export { OWNER } from './store/schema.js';
/** The service name: logger binding, NATS connection name, pg application_name. */
export const SERVICE = 'key-service';
/** Full proto name of the served service (also its health-check key). */
export const KEY_SERVICE_NAME = 'usersync.keys.v1.KeyService';

/** key-service: schema `keys`, its outbox relay (sync.key.revoked) and the KeyService gRPC server. */
export function createApp(config: Config, log: Logger): Promise<DeclaredService> {
  return defineService(
    {
      name: SERVICE,
      log,
      database: { url: config.DATABASE_URL, owner: { name: OWNER, migrationsDir: MIGRATIONS_DIR } },
      messaging: { url: config.NATS_URL, streams: [Streams.SYNC_KEYS] },
      relayOutbox: true,
    },
    ({ pool }) => ({
      grpc: {
        port: config.GRPC_PORT,
        services: [
          {
            definition: keysV1.KeyServiceService,
            implementation: createKeyServiceHandlers({ pool }),
            name: KEY_SERVICE_NAME,
          },
        ],
      },
      healthPort: config.HEALTH_PORT,
    }),
  );
}
