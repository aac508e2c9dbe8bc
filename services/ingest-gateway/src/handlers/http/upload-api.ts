/**
 * The upload API scope: every route under `/api/user-sync` and again under `/api/haplo-user-sync`,
 * so Haplo's documented scripts run unchanged. Auth and plain-text errors apply to both.
 */
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { Pool } from 'pg';
import { getRun, type RunRow, type StoredActor } from '@usersync/run-state';
import { DEFAULT_START_SYNC_WAIT_MS } from '../../config.js';
import { awaitRunDecision } from '../../usecases/await-run-decision.js';
import type { StartSyncResult } from '../../usecases/start-sync.command.js';
import type { RunUploader } from '../../usecases/run-upload.js';
import { registerApiAuth, type ApiAuthOptions } from './api-auth.hook.js';
import { registerOpenApiGenerator, registerOpenApiRoutes } from './openapi.js';
import { registerPlainErrors } from './plain-errors.js';
import { registerRunListRoutes } from './run-list.routes.js';
import { registerRunStatusRoutes } from './run-status.routes.js';
import { registerStartSyncRoutes } from './start-sync.routes.js';
import { registerUploadRoutes } from './upload.routes.js';

/** Both prefixes the API answers under. */
export const API_PREFIXES = ['/api/user-sync', '/api/haplo-user-sync'] as const;

export interface UploadApiDeps {
  pool: Pool;
  uploader: RunUploader;
  auth: ApiAuthOptions;
  maxBytes: number;
  startSync: (actor: StoredActor) => Promise<StartSyncResult>;
  checkDependencies: () => Promise<void>;
  /** How long start-sync/json and /xml wait for the worker's decision (config INGEST_START_SYNC_WAIT_MS). */
  startSyncWaitMs?: number;
}

/** Registers the upload API on a fastify app (call before listen). */
export async function registerUploadApi(app: FastifyInstance, deps: UploadApiDeps): Promise<void> {
  const waitMs = deps.startSyncWaitMs ?? DEFAULT_START_SYNC_WAIT_MS;
  const awaitDecision = (run: RunRow, signal: AbortSignal) =>
    awaitRunDecision((id) => getRun(deps.pool, id), run, { waitMs, signal });
  await registerOpenApiGenerator(app);
  for (const prefix of API_PREFIXES) {
    await app.register(
      async (api) => {
        // The size limit is enforced while streaming to S3 (413 with our message), not by busboy.
        await api.register(multipart, { throwFileSizeLimit: false });
        // Some clients POST start-sync as an empty form; accept (and ignore) a small form body.
        api.addContentTypeParser(
          'application/x-www-form-urlencoded',
          { parseAs: 'string', bodyLimit: 64 * 1024 },
          (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
        );
        registerPlainErrors(api, deps.maxBytes);
        registerApiAuth(api, deps.auth);
        registerUploadRoutes(api, { uploader: deps.uploader, maxBytes: deps.maxBytes });
        registerStartSyncRoutes(api, {
          startSync: deps.startSync,
          checkDependencies: deps.checkDependencies,
          awaitDecision,
        });
        registerRunStatusRoutes(api, { pool: deps.pool });
        registerRunListRoutes(api, { pool: deps.pool });
        if (prefix === API_PREFIXES[0]) registerOpenApiRoutes(api);
      },
      { prefix },
    );
  }
}
