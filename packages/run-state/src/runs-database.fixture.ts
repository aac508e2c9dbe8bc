/**
 * A fresh database with the runs schema (ingest-gateway's migrations, the schema's owner) for run-state's
 * tests: `const runs = useRunsDatabase();` in a test file, then `runs.pool` inside the tests.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import pino from 'pino';
import type { Pool } from 'pg';
import { createPool, runMigrations } from '@usersync/platform';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';

const RUNS_MIGRATIONS = fileURLToPath(new URL('../../../services/ingest-gateway/migrations', import.meta.url));

export function useRunsDatabase(): { readonly pool: Pool } {
  let db: TestDatabase | undefined;
  let pool: Pool | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await runMigrations(pool, { owner: 'runs', dir: RUNS_MIGRATIONS, log: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });
  return {
    get pool() {
      if (!pool) throw new Error('useRunsDatabase: the database is made in beforeAll');
      return pool;
    },
  };
}
