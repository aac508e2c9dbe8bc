/**
 * The connections every service opens the same way, so that no service copies the wiring:
 * PostgreSQL with the owner's migrations applied, NATS with the streams it uses, and the
 * readiness checks for both.
 */
import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { createPool } from '../db/pool.js';
import { runMigrations } from '../db/migration-runner.js';
import { connectNats } from '../nats/connect.js';
import { ensureStreams } from '../nats/jetstream-setup.js';
import { RetryableError } from '../errors.js';
import { createObjectStore, type ObjectStore } from '../objectstore/object-store.js';

export interface DatabaseOptions {
  url: string;
  service: string;
  log: Logger;
  /** The schema this service owns and the folder of its migrations, run at start. */
  owner?: { name: string; migrationsDir: string };
  maxConnections?: number;
}

/** A pool for the service, with the service's own migrations applied (serialised across replicas). */
export async function openDatabase(opts: DatabaseOptions): Promise<Pool> {
  const pool = createPool(opts.url, { log: opts.log, applicationName: opts.service, max: opts.maxConnections });
  try {
    if (opts.owner) await runMigrations(pool, { owner: opts.owner.name, dir: opts.owner.migrationsDir, log: opts.log });
  } catch (err) {
    await pool.end();
    throw err;
  }
  return pool;
}

export interface Messaging {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/**
 * A NATS connection named after the service, with the streams it publishes to or consumes from
 * made sure of. `usersync setup` creates every stream too; doing it here as well (idempotently)
 * means no start order between the setup job and the services matters.
 */
export async function openMessaging(opts: {
  url: string;
  service: string;
  log: Logger;
  streams: ReadonlyArray<{ name: string; subjects: readonly string[] }>;
}): Promise<Messaging> {
  const nc = await connectNats({ url: opts.url, name: opts.service, log: opts.log, waitOnFirstConnect: false });
  const jsm = await nc.jetstreamManager();
  await ensureStreams(
    jsm,
    opts.streams.map((s) => ({ name: s.name, subjects: [...s.subjects] })),
  );
  return { nc, js: nc.jetstream(), jsm };
}

/** Readiness checks for /readyz. */
export const readinessChecks = {
  postgres: (pool: Pool) => async () => void (await pool.query('SELECT 1')),
  nats: (nc: NatsConnection) => async () => {
    if (nc.isClosed()) throw new RetryableError('NATS_CLOSED', 'NATS connection closed');
    await nc.flush();
  },
};

/** The S3 settings of a service config (envSchemas.s3). */
export interface S3Config {
  S3_ENDPOINT: string;
  S3_ACCESS_KEY: string;
  S3_SECRET_KEY: string;
  S3_BUCKET: string;
  S3_REGION: string;
}

/** The run-file store of a service's config, with its bucket made sure of. */
export async function openObjectStore(config: S3Config): Promise<ObjectStore> {
  const store = createObjectStore({
    endpoint: config.S3_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
  });
  await store.ensureBucket();
  return store;
}
