import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Pool } from 'pg';
import { createPool, runMigrations } from '@usersync/platform';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import { readRunProgress, writeRunProgress } from './run-progress.js';

const RUNS_MIGRATIONS = fileURLToPath(new URL('../../../services/ingest-gateway/migrations', import.meta.url));

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  await runMigrations(pool, { owner: 'runs', dir: RUNS_MIGRATIONS, log: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe('run progress', () => {
  it('is undefined before the first write, then the latest phase and count', async () => {
    expect(await readRunProgress(pool, 41)).toBeUndefined();
    await writeRunProgress(pool, 41, 'transform', 0);
    await writeRunProgress(pool, 41, 'apply', 1500);
    const p = await readRunProgress(pool, 41);
    expect(p).toMatchObject({ phase: 'apply', processed: 1500 });
    expect(p!.updatedAt).toBeInstanceOf(Date);
    expect(await readRunProgress(pool, 42)).toBeUndefined();
  });
});
