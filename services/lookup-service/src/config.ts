import { z } from 'zod';
import { envSchemas, loadConfig as load, port } from '@usersync/platform';

const Env = z.object({
  ...envSchemas.database.shape,
  ...envSchemas.log.shape,
  GRPC_PORT: port(50053),
  HEALTH_PORT: port(9104),
});

export type Config = Readonly<z.infer<typeof Env>>;

/** The only reader of process.env in lookup-service. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return load(Env, env);
}
