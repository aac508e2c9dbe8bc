import { z } from 'zod';
import { envSchemas, loadConfig as load, port } from '@usersync/platform';

const Env = z.object({
  ...envSchemas.database.shape,
  ...envSchemas.nats.shape,
  ...envSchemas.log.shape,
  SMTP_URL: z
    .string()
    .refine((v) => URL.canParse(v), 'must be an smtp:// or smtps:// URL')
    .default('smtp://127.0.0.1:2525'),
  PUBLIC_URL: z.url().default('http://localhost:8080'),
  HEALTH_PORT: port(9102),
});

export type Config = Readonly<z.infer<typeof Env>>;

/** The only reader of process.env in notify-worker. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return load(Env, env);
}
