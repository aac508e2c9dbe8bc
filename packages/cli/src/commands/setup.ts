import type { Logger } from 'pino';
import { Streams } from '@usersync/contracts';
import { createPool, ensureStreams, connectNats, runMigrations } from '@usersync/platform';
import { MIGRATION_OWNERS } from '../owners.js';

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
