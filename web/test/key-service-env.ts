/**
 * A portal (inject()) over a real key-service: one test database holding both schemas, nats-server
 * for key-service's outbox, free ports. For the forms and API key suites.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { openDatabase, type ServiceApp } from '@usersync/platform';
import { createTestDatabase, freePort, startTestNats, type TestDatabase, type TestNats } from '@usersync/devstack';
import * as keyService from '@usersync/key-service';
import { MIGRATIONS_DIR, OWNER } from '../src/app.js';
import { createAdminAccount } from '../src/security/admin-accounts.js';
import { createKeyClient, type KeyClient } from '../src/clients/key.client.js';
import { createRunClient } from '../src/clients/run.client.js';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/server.js';
import { ADMIN, NOWHERE, silentLog } from './support.js';

export interface KeyPortal {
  app: FastifyInstance;
  pool: pg.Pool;
  keys: KeyClient;
  keyAddr: string;
  close(): Promise<void>;
}

/** Starts key-service and builds the portal over the same database. */
export async function startKeyPortal(): Promise<KeyPortal> {
  const db: TestDatabase = await createTestDatabase();
  const nats: TestNats = await startTestNats();
  const [grpcPort, healthPort] = [await freePort(), await freePort()];
  const service: ServiceApp = await keyService.createApp(
    keyService.loadConfig({
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      GRPC_PORT: String(grpcPort),
      HEALTH_PORT: String(healthPort),
    }),
    silentLog(),
  );
  await service.start();
  const log = silentLog();
  const keyAddr = `127.0.0.1:${grpcPort}`;
  const config = loadConfig({
    DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    LOOKUP_SERVICE_ADDR: NOWHERE,
    RUN_SERVICE_ADDR: NOWHERE,
    KEY_SERVICE_ADDR: keyAddr,
  });
  const pool = await openDatabase({
    url: db.url,
    service: 'web-test',
    log,
    owner: { name: OWNER, migrationsDir: MIGRATIONS_DIR },
  });
  await createAdminAccount(pool, ADMIN);
  const keys = createKeyClient(keyAddr);
  const runs = createRunClient(NOWHERE, () => undefined);
  const app = await buildServer({ pool, config, log, keys, runs });
  return {
    app,
    pool,
    keys,
    keyAddr,
    async close() {
      await app.close();
      keys.close();
      runs.close();
      await pool.end();
      await service.stop();
      await nats.stop();
      await db.drop();
    },
  };
}
