/**
 * Gives the whole test run real servers, once:
 *  - PostgreSQL: DATABASE_URL's server if set, else the machine's local one (started with
 *    pg_ctlcluster if it is down), else a testcontainers PostgreSQL where Docker runs;
 *  - S3: MinIO in a container where Docker runs, else s3rver (with the minio-client shim);
 *  - NATS and SMTP are per test file (see @usersync/devstack test-env).
 * A missing server fails the run with how to start it; nothing is skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LOCAL_POSTGRES_URL,
  ensurePostgres,
  findExecutable,
  findNatsServer,
  hasContainerRuntime,
  isListening,
  startMinioContainer,
  startPostgresContainer,
  startS3Server,
  type Stoppable,
} from '../../packages/devstack/src/index.js';

const stops: Array<() => Promise<void>> = [];

export async function setup(): Promise<void> {
  const containers = await hasContainerRuntime();
  process.env.USERSYNC_TEST_CONTAINERS = containers ? '1' : '0';

  const pgUrl = process.env.DATABASE_URL ?? LOCAL_POSTGRES_URL;
  const localPgPossible =
    process.env.DATABASE_URL || (await isListening('127.0.0.1', 5432)) || findExecutable('pg_ctlcluster');
  if (!localPgPossible && containers) {
    const pg: Stoppable & { adminUrl: string } = await startPostgresContainer();
    stops.push(() => pg.stop());
    process.env.USERSYNC_TEST_PG_ADMIN_URL = pg.adminUrl;
  } else {
    await ensurePostgres(pgUrl, (line) => console.log(`[test setup] ${line}`));
    process.env.USERSYNC_TEST_PG_ADMIN_URL = pgUrl;
  }

  if (containers) {
    const minio = await startMinioContainer();
    stops.push(() => minio.stop());
    Object.assign(process.env, {
      USERSYNC_TEST_S3_ENDPOINT: minio.endpoint,
      USERSYNC_TEST_S3_ACCESS_KEY: minio.accessKey,
      USERSYNC_TEST_S3_SECRET_KEY: minio.secretKey,
    });
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'usersync-s3-'));
    const s3 = await startS3Server({ directory: dir });
    stops.push(async () => {
      await s3.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    Object.assign(process.env, {
      USERSYNC_TEST_S3_ENDPOINT: s3.endpoint,
      USERSYNC_TEST_S3_ACCESS_KEY: s3.accessKey,
      USERSYNC_TEST_S3_SECRET_KEY: s3.secretKey,
    });
  }

  if (!findNatsServer() && !containers) {
    throw new Error('nats-server is not installed and no Docker engine answers: run `apt-get install -y nats-server`');
  }
}

export async function teardown(): Promise<void> {
  for (const stop of stops.reverse()) await stop();
}
