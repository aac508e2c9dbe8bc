import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { Streams } from '@usersync/contracts';
import {
  RetryableError,
  createGrpcServer,
  createOutboxRelay,
  openDatabase,
  openObjectStore,
  openMessaging,
  readinessChecks,
  registerOpsRoutes,
  type ServiceApp,
} from '@usersync/platform';
import { createKeyAuth } from './clients/key-auth.js';
import { createRunActions } from './usecases/run-actions.command.js';
import { startSync } from './usecases/start-sync.command.js';
import { runServiceRegistration } from './handlers/grpc/run-service.js';
import { registerUploadApi } from './handlers/http/upload-api.js';
import { createRunUploader } from './usecases/run-upload.js';
import type { Config } from './config.js';

export const SERVICE = 'ingest-gateway';
/** The schema this service owns. */
export const OWNER = 'runs';
const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** A ServiceApp that also says where it listens (tests start it on port 0). */
export interface IngestGatewayApp extends ServiceApp {
  /** Bound HTTP and gRPC ports, once started. */
  ports(): { http: number; grpc: number };
}

/**
 * Wires ingest-gateway: schema `runs` and its outbox relay (sync.run.*), run files in S3,
 * the HTTP upload API and the RunService gRPC server.
 */
export async function createApp(config: Config, log: Logger): Promise<IngestGatewayApp> {
  const pool = await openDatabase({
    url: config.DATABASE_URL,
    service: SERVICE,
    log,
    owner: { name: OWNER, migrationsDir: MIGRATIONS },
  });
  const { nc, js } = await openMessaging({ url: config.NATS_URL, service: SERVICE, log, streams: [Streams.SYNC_RUNS] });
  const objects = await openObjectStore(config);
  const relay = createOutboxRelay({ pool, owner: OWNER, js, log });
  const auth = createKeyAuth({ address: config.KEY_SERVICE_ADDR, nc, cacheTtlMs: config.KEY_CACHE_TTL_MS, log });

  // Uploads and start-sync lead to events: refuse them (503) while the broker is unreachable,
  // rather than accept work whose announcement would wait for an unknown time.
  const checkDependencies = async () => {
    try {
      await Promise.race([
        nc.rtt(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('nats rtt timeout')), 2_000).unref()),
      ]);
    } catch (err) {
      throw new RetryableError('NATS_UNAVAILABLE', 'message broker unavailable', { cause: err });
    }
  };
  const uploader = createRunUploader({
    pool,
    objects,
    maxBytes: config.MAX_UPLOAD_BYTES,
    maxControlBytes: Math.min(config.MAX_CONTROL_BYTES, config.MAX_UPLOAD_BYTES),
    checkDependencies,
  });
  const actions = createRunActions(pool);

  let ready = true;
  const http = Fastify({ loggerInstance: log as FastifyBaseLogger, bodyLimit: 1024 * 1024 });
  registerOpsRoutes(http, {
    isReady: () => ready,
    checks: { postgres: readinessChecks.postgres(pool), nats: readinessChecks.nats(nc), s3: () => objects.ping() },
  });
  await registerUploadApi(http, {
    pool,
    uploader,
    auth,
    maxBytes: config.MAX_UPLOAD_BYTES,
    startSync: (actor) => startSync(pool, actor),
    checkDependencies,
  });
  const grpc = createGrpcServer({
    port: config.GRPC_PORT,
    log,
    services: [runServiceRegistration({ pool, objects, uploader, actions })],
  });
  let bound = { http: 0, grpc: 0 };
  return {
    ports: () => bound,
    async start() {
      relay.start();
      const grpcPort = await grpc.start();
      await http.listen({ port: config.HTTP_PORT, host: '0.0.0.0' });
      const address = http.server.address();
      bound = { http: typeof address === 'object' && address ? address.port : config.HTTP_PORT, grpc: grpcPort };
    },
    async stop() {
      ready = false;
      await http.close();
      await grpc.stop(5_000);
      await relay.stop();
      auth.close();
      await nc.drain();
      await pool.end();
    },
  };
}
