import { z } from 'zod';
import { envSchemas, loadConfig as load, port } from '@usersync/platform';

const Env = z.object({
  ...envSchemas.database.shape,
  ...envSchemas.nats.shape,
  ...envSchemas.s3.shape,
  ...envSchemas.log.shape,
  HTTP_PORT: port(8081),
  GRPC_PORT: port(50051),
  KEY_SERVICE_ADDR: z.string().min(1).default('127.0.0.1:50052'),
  /** Largest accepted upload, in bytes (default 1 GiB); larger ones get 413. */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 ** 3),
});

export type Config = Readonly<z.infer<typeof Env>>;

/** The only reader of process.env in ingest-gateway. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return load(Env, env);
}
