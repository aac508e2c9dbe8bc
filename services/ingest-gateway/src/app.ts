import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { Streams } from '@usersync/contracts';
import {
  RetryableError,
  defineService,
  httpServerOptions,
  registerBodyTimeout,
  registerOpsRoutes,
  registerRunGauges,
  type DeclaredService,
} from '@usersync/platform';
import { createKeyAuth } from './clients/key-auth.js';
import { createRunActions } from './usecases/run-actions.command.js';
import { startSync } from './usecases/start-sync.command.js';
import { runAuditRegistration } from './handlers/grpc/run-audit.handlers.js';
import { runServiceRegistration } from './handlers/grpc/run-service.js';
import { registerUploadApi } from './handlers/http/upload-api.js';
import { registerScimApi, scimFrameworkError } from './handlers/http/scim/scim-api.js';
import { registerScimLastRequest } from './handlers/http/scim/last-request.hook.js';
import { sourceServiceRegistration } from './handlers/grpc/source-service.handlers.js';
import { createScimRequestRecorder } from './usecases/scim-request-recorder.js';
import { createRunUploader } from './usecases/run-upload.js';
import { startScimBatcher } from './usecases/scim-batcher.js';
import { readRunGauges } from './store/run-metrics.repository.js';
import type { Config } from './config.js';

export const SERVICE = 'ingest-gateway';
/** The schema this service owns. */
export const OWNER = 'runs';
const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** The gateway; `ports()` says where it listens (tests start it on port 0). */
export type IngestGatewayApp = DeclaredService;

/**
 * Uploads and start-sync lead to events: refuse them (503) while the broker is unreachable, rather
 * than accept work whose announcement would wait for an unknown time.
 */
function brokerCheck(nc: NatsConnection): () => Promise<void> {
  return async () => {
    try {
      await Promise.race([
        nc.rtt(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('nats rtt timeout')), 2_000).unref()),
      ]);
    } catch (err) {
      throw new RetryableError('NATS_UNAVAILABLE', 'message broker unavailable', { cause: err });
    }
  };
}

/**
 * ingest-gateway: schema `runs` and its outbox relay (sync.run.*), run files in S3, the HTTP upload
 * API and the RunService gRPC server.
 */
export function createApp(config: Config, log: Logger): Promise<IngestGatewayApp> {
  return defineService(
    {
      name: SERVICE,
      log,
      database: { url: config.DATABASE_URL, owner: { name: OWNER, migrationsDir: MIGRATIONS } },
      messaging: { url: config.NATS_URL, streams: [Streams.SYNC_RUNS] },
      objectStore: config,
      relayOutbox: true,
    },
    async ({ pool, nc, objects }, readiness) => {
      const auth = createKeyAuth({ address: config.KEY_SERVICE_ADDR, nc, cacheTtlMs: config.KEY_CACHE_TTL_MS, log });
      const checkDependencies = brokerCheck(nc);
      const uploader = createRunUploader({
        pool,
        objects,
        maxBytes: config.MAX_UPLOAD_BYTES,
        maxControlBytes: Math.min(config.MAX_CONTROL_BYTES, config.MAX_UPLOAD_BYTES),
        checkDependencies,
      });
      const http = Fastify({
        loggerInstance: log as FastifyBaseLogger,
        bodyLimit: 1024 * 1024,
        ...httpServerOptions({
          headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
          bodyTimeoutMs: config.HTTP_BODY_TIMEOUT_MS,
          requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
          frameworkErrorAnswer: scimFrameworkError,
        }),
      });
      registerBodyTimeout(http, config.HTTP_BODY_TIMEOUT_MS);
      registerOpsRoutes(http, readiness);
      // Business gauges from the runs schema at scrape time (deploy/prometheus/alerts.yml reads them).
      registerRunGauges(
        () => readRunGauges(pool),
        (err) => log.warn({ err }, 'run metrics could not be read'),
      );
      await registerUploadApi(http, {
        pool,
        uploader,
        auth,
        maxBytes: config.MAX_UPLOAD_BYTES,
        startSync: (actor) => startSync(pool, actor),
        startSyncWaitMs: config.INGEST_START_SYNC_WAIT_MS,
        checkDependencies,
      });
      // The portal's "last request" of the SCIM source: noted per request, written at most once a second.
      const scimRequests = createScimRequestRecorder({ db: pool, log });
      registerScimLastRequest(http, scimRequests);
      await registerScimApi(http, { pool, auth });
      const batcher = startScimBatcher({ pool, objects, log }, config.SCIM_BATCH_WINDOW_MS);
      return {
        http: { port: config.HTTP_PORT, server: http },
        grpc: {
          port: config.GRPC_PORT,
          services: [
            runServiceRegistration({ pool, objects, uploader, actions: createRunActions(pool) }),
            runAuditRegistration({ pool }),
            sourceServiceRegistration({ pool, scimBatchWindowMs: config.SCIM_BATCH_WINDOW_MS }),
          ],
        },
        close: [() => batcher.stop(), () => scimRequests.stop(), () => auth.close()],
      };
    },
  );
}
