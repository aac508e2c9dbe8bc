import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import { createPool, withTransaction } from './pool.js';
import { assertIdentifier } from './identifiers.js';

describe(withTransaction.name, () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { max: 2, applicationName: 'platform-test' });
    await pool.query('CREATE TABLE t (v int)');
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('commits what the callback wrote and returns its value', async () => {
    const result = await withTransaction(pool, async (c) => {
      await c.query('INSERT INTO t VALUES (1)');
      return 'done';
    });
    expect(result).toBe('done');
    expect((await pool.query('SELECT count(*)::int AS n FROM t WHERE v = 1')).rows[0].n).toBe(1);
  });

  it('rolls back and rethrows when the callback throws, and releases the client', async () => {
    const boom = new Error('boom');
    await expect(
      withTransaction(pool, async (c) => {
        await c.query('INSERT INTO t VALUES (2)');
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await pool.query('SELECT count(*)::int AS n FROM t WHERE v = 2')).rows[0].n).toBe(0);
    expect(pool.idleCount).toBe(pool.totalCount);
  });

  it('sets the application name', async () => {
    const { rows } = await pool.query('SELECT current_setting($1) AS name', ['application_name']);
    expect(rows[0].name).toBe('platform-test');
  });
});

describe(assertIdentifier.name, () => {
  it('accepts owner names and refuses anything that could break out of SQL text', () => {
    expect(assertIdentifier('runs')).toBe('runs');
    for (const bad of ['Runs', 'runs; drop', '"runs"', '1runs', '']) expect(() => assertIdentifier(bad)).toThrow();
  });
});
