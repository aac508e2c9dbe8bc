import { z } from 'zod';
import { DEFAULT_HTTP_LIMITS, envSchemas, loadConfig as load, port } from '@usersync/platform';

/** How long start-sync's JSON and XML forms wait for the worker's decision on a queued run, by default. */
export const DEFAULT_START_SYNC_WAIT_MS = 5_000;
/** The longest wait accepted: scripts and proxies time out well before minutes. */
export const MAX_START_SYNC_WAIT_MS = 60_000;

const Env = z.object({
  ...envSchemas.database.shape,
  ...envSchemas.nats.shape,
  ...envSchemas.s3.shape,
  ...envSchemas.log.shape,
  HTTP_PORT: port(8081),
  GRPC_PORT: port(50051),
  /** key-service, which verifies upload API keys. */
  KEY_SERVICE_ADDR: z.string().min(1).default('127.0.0.1:50052'),
  /** How long a verified API key is trusted before key-service is asked again (revocations drop it at once). */
  KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).default(30_000),
  /** Largest accepted upload, in bytes (default 1 GiB); larger ones get 413. */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 ** 3),
  /** Largest accepted control file (it is held in memory to be validated); default 10 MiB. */
  MAX_CONTROL_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 ** 2),
  /**
   * How long `start-sync/json` and `start-sync/xml` wait, after queueing a run, for the worker to apply,
   * hold or fail it before answering Haplo's `queued-for-apply` (0: answer at once; plain text never waits).
   */
  INGEST_START_SYNC_WAIT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_START_SYNC_WAIT_MS)
    .default(DEFAULT_START_SYNC_WAIT_MS),
  /**
   * The SCIM batcher's window: how often SCIM changes are carried to the directory as a run of the `scim`
   * source (at most one run per window, none without changes).
   */
  SCIM_BATCH_WINDOW_MS: z.coerce.number().int().min(50).max(3_600_000).default(10_000),
  /** Request line and headers must arrive within this (408 after). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(DEFAULT_HTTP_LIMITS.headersTimeoutMs),
  /** A request body that stops arriving for this long gets 408 and the connection is closed. */
  HTTP_BODY_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(DEFAULT_HTTP_LIMITS.bodyTimeoutMs),
  /** A whole request (headers and body) must arrive within this; 0 = no limit (big uploads on slow lines). */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(0).default(DEFAULT_HTTP_LIMITS.requestTimeoutMs),
});

export type Config = Readonly<z.infer<typeof Env>>;

/** The only reader of process.env in ingest-gateway. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return load(Env, env);
}
