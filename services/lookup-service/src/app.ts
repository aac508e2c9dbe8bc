import type { Logger } from 'pino';
import { lookupV1 } from '@usersync/contracts';
import {
  createGrpcServer,
  createHealthServer,
  openDatabase,
  readinessChecks,
  type ServiceApp,
} from '@usersync/platform';
import type { Config } from './config.js';
import { createLookupServiceHandlers } from './handlers/lookup-service.handlers.js';

export const SERVICE = 'lookup-service';
/** Full proto name of the served service (also its health-check key). */
export const LOOKUP_SERVICE_NAME = 'usersync.lookup.v1.LookupService';

/**
 * Wires lookup-service: it owns no schema (it reads `directory`, owned by apply-worker, and may
 * set a user's error flag), so it runs no migrations; it serves LookupService over gRPC.
 */
export async function createApp(config: Config, log: Logger): Promise<ServiceApp> {
  const pool = await openDatabase({ url: config.DATABASE_URL, service: SERVICE, log });
  const grpc = createGrpcServer({
    port: config.GRPC_PORT,
    log,
    services: [
      {
        definition: lookupV1.LookupServiceService,
        implementation: createLookupServiceHandlers({ pool }),
        name: LOOKUP_SERVICE_NAME,
      },
    ],
  });
  const health = createHealthServer({
    port: config.HEALTH_PORT,
    log,
    checks: { postgres: readinessChecks.postgres(pool) },
  });
  return {
    async start() {
      await grpc.start();
      await health.listen();
    },
    async stop() {
      health.notReady();
      await grpc.stop(5_000);
      await pool.end();
      await health.close();
    },
  };
}
