import { z } from 'zod';
import { envSchemas, loadConfig as load, port } from '@usersync/platform';

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
});

export type Config = Readonly<z.infer<typeof Env>>;

/** The only reader of process.env in ingest-gateway. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return load(Env, env);
}
