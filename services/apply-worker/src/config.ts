import { z } from 'zod';
import { envSchemas, loadConfig as load, port } from '@usersync/platform';

const Env = z.object({
  ...envSchemas.database.shape,
  ...envSchemas.nats.shape,
  ...envSchemas.s3.shape,
  ...envSchemas.log.shape,
  HEALTH_PORT: port(9101),
  /**
   * Redelivery of sync.run.queued after this long without ack or heartbeat (the loop heartbeats every
   * third of it): how soon a replica takes over the run of a worker that died.
   */
  APPLY_ACK_WAIT_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** Most sync.user.changed events one run publishes; larger runs publish none (see run-events.ts). */
  USER_EVENT_CAP: z.coerce.number().int().min(0).default(10_000),
  /** Worker threads that transform records: 0 = none (default), N, or `auto` (one per core). */
  /** How often the recycle timer looks for users past the grace period (usecases/recycle-timer.ts); 0 = never. */
  APPLY_RECYCLE_CHECK_MS: z.coerce.number().int().min(0).default(3_600_000),
  APPLY_TRANSFORM_THREADS: z.union([z.literal('auto'), z.coerce.number().int().min(0).max(64)]).default(0),
});

export type Config = Readonly<z.infer<typeof Env>>;

/** The only reader of process.env in apply-worker. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return load(Env, env);
}
