import { z } from 'zod';
import { envSchemas, loadConfig as load, port } from '@usersync/platform';

const Env = z.object({
  ...envSchemas.database.shape,
  ...envSchemas.nats.shape,
  ...envSchemas.s3.shape,
  ...envSchemas.log.shape,
  HEALTH_PORT: port(9101),
});

export type Config = Readonly<z.infer<typeof Env>>;

/** The only reader of process.env in apply-worker. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return load(Env, env);
}
