import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { Streams } from '@usersync/contracts';
import {
  createGrpcServer,
  createObjectStore,
  createOutboxRelay,
  openDatabase,
  openMessaging,
  readinessChecks,
  registerOpsRoutes,
  type ServiceApp,
} from '@usersync/platform';
import type { Config } from './config.js';

export const SERVICE = 'ingest-gateway';
/** The schema this service owns. */
export const OWNER = 'runs';
const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Wires ingest-gateway: schema `runs` and its outbox relay (sync.run.queued), run files in S3,
 * the HTTP upload API and the RunService gRPC server.
 */
export async function createApp(config: Config, log: Logger): Promise<ServiceApp> {
  const pool = await openDatabase({
    url: config.DATABASE_URL,
    service: SERVICE,
    log,
    owner: { name: OWNER, migrationsDir: MIGRATIONS },
  });
  const { nc, js } = await openMessaging({ url: config.NATS_URL, service: SERVICE, log, streams: [Streams.SYNC_RUNS] });
  const objects = createObjectStore({
    endpoint: config.S3_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
  });
  await objects.ensureBucket();
  const relay = createOutboxRelay({ pool, owner: OWNER, js, log });
  let ready = true;
  const http = Fastify({ loggerInstance: log as FastifyBaseLogger, bodyLimit: 1024 * 1024 });
  registerOpsRoutes(http, {
    isReady: () => ready,
    checks: { postgres: readinessChecks.postgres(pool), nats: readinessChecks.nats(nc), s3: () => objects.ping() },
  });
  const grpc = createGrpcServer({ port: config.GRPC_PORT, log, services: [] });
  return {
    async start() {
      relay.start();
      await grpc.start();
      await http.listen({ port: config.HTTP_PORT, host: '0.0.0.0' });
    },
    async stop() {
      ready = false;
      await http.close();
      await grpc.stop(5_000);
      await relay.stop();
      await nc.drain();
      await pool.end();
    },
  };
}
