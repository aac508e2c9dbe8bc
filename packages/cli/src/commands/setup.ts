import type { Logger } from 'pino';
import { z } from 'zod';
import { Streams } from '@usersync/contracts';
import { createPool, ensureStreams, connectNats, envSchemas, openObjectStore, runMigrations } from '@usersync/platform';
import { MIGRATION_OWNERS } from '../owners.js';

/** What the CLI reads from the environment, like the services do; each command checks what it needs. */
export const CliEnv = z.object({
  ...envSchemas.database.partial().shape,
  ...envSchemas.nats.shape,
  ...envSchemas.s3.partial().shape,
  ...envSchemas.log.shape,
});
export type CliEnvValues = z.infer<typeof CliEnv>;

/** `usersync migrate`: every owner's migrations, in one process (the k8s migrate Job runs this). */
export async function migrate(databaseUrl: string, log: Logger): Promise<void> {
  const pool = createPool(databaseUrl, { log, applicationName: 'usersync-cli', max: 2 });
  try {
    for (const { owner, dir } of MIGRATION_OWNERS) {
      const { applied } = await runMigrations(pool, { owner, dir, log });
      log.info({ owner, applied: applied.map((m) => `${m.version}_${m.name}`) }, 'schema up to date');
    }
  } finally {
    await pool.end();
  }
}

/** `usersync streams`: the JetStream streams of @usersync/contracts, created or updated. */
export async function streams(natsUrl: string, log: Logger): Promise<void> {
  const nc = await connectNats({ url: natsUrl, name: 'usersync-cli', log });
  try {
    const outcomes = await ensureStreams(
      await nc.jetstreamManager(),
      Object.values(Streams).map((s) => ({ name: s.name, subjects: [...s.subjects] })),
    );
    for (const o of outcomes) log.info({ stream: o.name, action: o.action }, 'stream ready');
  } finally {
    await nc.close();
  }
}

/** `usersync setup`'s last step: the S3 bucket, when S3 credentials are set (local stacks may have none). */
export async function setupBucket(env: CliEnvValues, log: Logger): Promise<void> {
  if (!env.S3_ACCESS_KEY || !env.S3_SECRET_KEY) {
    log.info('S3_ACCESS_KEY / S3_SECRET_KEY not set: bucket left alone');
    return;
  }
  const store = await openObjectStore({
    S3_ENDPOINT: env.S3_ENDPOINT ?? 'http://127.0.0.1:9000',
    S3_ACCESS_KEY: env.S3_ACCESS_KEY,
    S3_SECRET_KEY: env.S3_SECRET_KEY,
    S3_BUCKET: env.S3_BUCKET ?? 'usersync',
    S3_REGION: env.S3_REGION ?? 'us-east-1',
  });
  log.info({ bucket: store.bucket }, 'bucket ready');
}
