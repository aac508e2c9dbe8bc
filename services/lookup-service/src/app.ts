import type { Logger } from 'pino';
import {
  createGrpcServer,
  createHealthServer,
  openDatabase,
  readinessChecks,
  type ServiceApp,
} from '@usersync/platform';
import type { Config } from './config.js';

export const SERVICE = 'lookup-service';

/**
 * Wires lookup-service: it owns no schema (it reads `directory`, owned by apply-worker, and may
 * set a user's error flag), so it runs no migrations; it serves LookupService over gRPC.
 */
export async function createApp(config: Config, log: Logger): Promise<ServiceApp> {
  const pool = await openDatabase({ url: config.DATABASE_URL, service: SERVICE, log });
  const grpc = createGrpcServer({ port: config.GRPC_PORT, log, services: [] });
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
