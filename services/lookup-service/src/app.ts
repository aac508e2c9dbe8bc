import type { Logger } from 'pino';
import { lookupV1 } from '@usersync/contracts';
import { defineService, type DeclaredService } from '@usersync/platform';
import type { Config } from './config.js';
import { createLookupServiceHandlers } from './handlers/lookup-service.handlers.js';

export const SERVICE = 'lookup-service';
/** Full proto name of the served service (also its health-check key). */
export const LOOKUP_SERVICE_NAME = 'usersync.lookup.v1.LookupService';

/**
 * lookup-service owns no schema (it reads `directory`, owned by apply-worker, and may set a user's
 * error flag), so it runs no migrations; it serves LookupService over gRPC.
 */
export function createApp(config: Config, log: Logger): Promise<DeclaredService> {
  return defineService({ name: SERVICE, log, database: { url: config.DATABASE_URL } }, ({ pool }) => ({
    grpc: {
      port: config.GRPC_PORT,
      services: [
        {
          definition: lookupV1.LookupServiceService,
          implementation: createLookupServiceHandlers({ pool }),
          name: LOOKUP_SERVICE_NAME,
        },
      ],
    },
    healthPort: config.HEALTH_PORT,
  }));
}
