import { z } from 'zod';
import { envSchemas, loadConfig as load, port } from '@usersync/platform';

const Env = z.object({
  ...envSchemas.database.shape,
  ...envSchemas.log.shape,
  HTTP_PORT: port(8080),
  PUBLIC_URL: z.url().default('http://localhost:8080'),
  RUN_SERVICE_ADDR: z.string().min(1).default('127.0.0.1:50051'),
  KEY_SERVICE_ADDR: z.string().min(1).default('127.0.0.1:50052'),
  LOOKUP_SERVICE_ADDR: z.string().min(1).default('127.0.0.1:50053'),
});

export type Config = Readonly<z.infer<typeof Env>>;

/** The only reader of process.env in web. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return load(Env, env);
}
