import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { Streams } from '@usersync/contracts';
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

export const SERVICE = 'key-service';
/** The schema this service owns. */
export const OWNER = 'keys';
const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** Wires key-service: schema `keys`, its outbox relay (sync.key.revoked) and the gRPC server. */
export async function createApp(config: Config, log: Logger): Promise<ServiceApp> {
  const pool = await openDatabase({
    url: config.DATABASE_URL,
    service: SERVICE,
    log,
    owner: { name: OWNER, migrationsDir: MIGRATIONS },
  });
  const { nc, js } = await openMessaging({ url: config.NATS_URL, service: SERVICE, log, streams: [Streams.SYNC_KEYS] });
  const relay = createOutboxRelay({ pool, owner: OWNER, js, log });
  const grpc = createGrpcServer({ port: config.GRPC_PORT, log, services: [] });
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
