import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import { createPool } from './pool.js';
import { MIGRATION_LOCK_KEY, runMigrations } from './migration-runner.js';

const log = pino({ level: 'silent' });

describe(runMigrations.name, () => {
  let db: TestDatabase;
  const pools: pg.Pool[] = [];
  let dir: string;
  const pool = () => {
    const p = createPool(db.url, { max: 2 });
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'usersync-migrations-'));
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('applies each migration exactly once when two runners race, and both succeed', async () => {
    const owner = 'race';
    const files = await mkdtemp(join(dir, 'race-'));
    // Each file fails if applied twice (no IF NOT EXISTS; the counter has a unique key), and the
    // pg_sleep widens the window in which an unserialised runner would interleave.
    await writeFile(
      join(files, '001_create.sql'),
      'CREATE TABLE applied (version int PRIMARY KEY); SELECT pg_sleep(0.2);',
    );
    await writeFile(join(files, '002_second.sql'), 'INSERT INTO applied VALUES (2); CREATE TABLE things (id int);');
    await writeFile(join(files, '010_third.sql'), 'INSERT INTO applied VALUES (10);');

    const [a, b] = await Promise.all([
      runMigrations(pool(), { owner, dir: files, log }),
      runMigrations(pool(), { owner, dir: files, log }),
    ]);
    const versions = [...a.applied, ...b.applied].map((m) => m.version).sort((x, y) => x - y);
    expect(versions).toEqual([0, 1, 2, 10]);

    const p = pool();
    const { rows } = await p.query('SELECT version, name FROM race.schema_migrations ORDER BY version');
    expect(rows).toEqual([
      { version: 0, name: 'platform_outbox' },
      { version: 1, name: 'create' },
      { version: 2, name: 'second' },
      { version: 10, name: 'third' },
    ]);
    expect((await p.query('SELECT version FROM race.applied ORDER BY 1')).rows).toEqual([
      { version: 2 },
      { version: 10 },
    ]);
    // search_path was the owner schema: unqualified names landed in it, and the outbox came with it.
    expect((await p.query("SELECT to_regclass('race.things') IS NOT NULL AS ok")).rows[0].ok).toBe(true);
    expect((await p.query("SELECT to_regclass('race.outbox') IS NOT NULL AS ok")).rows[0].ok).toBe(true);
    // The pooled connections come back with the default search_path.
    expect((await p.query('SHOW search_path')).rows[0].search_path).toBe('"$user", public');

    const again = await runMigrations(pool(), { owner, dir: files, log });
    expect(again.applied).toEqual([]);
  });

  it('gives each owner its own schema, migrations table and outbox', async () => {
    const files = await mkdtemp(join(dir, 'empty-'));
    await Promise.all(['alpha', 'beta'].map((owner) => runMigrations(pool(), { owner, dir: files, log })));
    const { rows } = await pool().query(
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('alpha', 'beta') ORDER BY 1, 2",
    );
    expect(rows.map((r) => `${r.table_schema}.${r.table_name}`)).toEqual([
      'alpha.outbox',
      'alpha.schema_migrations',
      'beta.outbox',
      'beta.schema_migrations',
    ]);
  });

  it('refuses to run when an applied migration was changed', async () => {
    const files = await mkdtemp(join(dir, 'drift-'));
    await writeFile(join(files, '001_init.sql'), 'CREATE TABLE a (id int);');
    await runMigrations(pool(), { owner: 'drift', dir: files, log });
    await writeFile(join(files, '001_init.sql'), 'CREATE TABLE a (id bigint);');
    await writeFile(join(files, '002_next.sql'), 'CREATE TABLE b (id int);');
    await expect(runMigrations(pool(), { owner: 'drift', dir: files, log })).rejects.toMatchObject({
      code: 'MIGRATION_CHECKSUM_MISMATCH',
      message: expect.stringContaining('001_init of schema drift was changed'),
    });
    // Nothing after the drift was applied, and the lock was released for the next runner.
    expect((await pool().query("SELECT to_regclass('drift.b') AS t")).rows[0].t).toBeNull();
    const client = await pool().connect();
    const { rows } = await client.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [MIGRATION_LOCK_KEY]);
    expect(rows[0].ok).toBe(true);
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    client.release();
  });

  it('rolls back a failing migration and reports which one failed', async () => {
    const files = await mkdtemp(join(dir, 'fail-'));
    await writeFile(join(files, '001_ok.sql'), 'CREATE TABLE ok (id int);');
    await writeFile(join(files, '002_bad.sql'), 'CREATE TABLE half (id int); SELECT * FROM missing_table;');
    await expect(runMigrations(pool(), { owner: 'failing', dir: files, log })).rejects.toThrow(
      'migration 002_bad of schema failing failed',
    );
    const { rows } = await pool().query('SELECT version FROM failing.schema_migrations ORDER BY 1');
    expect(rows.map((r) => r.version)).toEqual([0, 1]);
    expect((await pool().query("SELECT to_regclass('failing.half') AS t")).rows[0].t).toBeNull();
  });

  it('refuses badly named files and version 000', async () => {
    const files = await mkdtemp(join(dir, 'names-'));
    await writeFile(join(files, '000_mine.sql'), 'SELECT 1;');
    await expect(runMigrations(pool(), { owner: 'names', dir: files, log })).rejects.toThrow('reserved');
    await rm(join(files, '000_mine.sql'));
    await writeFile(join(files, 'init.sql'), 'SELECT 1;');
    await expect(runMigrations(pool(), { owner: 'names', dir: files, log })).rejects.toThrow('NNN_name.sql');
  });
});
