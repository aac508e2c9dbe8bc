import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { pino } from 'pino';
import { openDatabase } from '@usersync/platform';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import { MIGRATIONS_DIR, OWNER } from '../../src/app.js';
import { DEFAULT_ADMIN_EMAIL, seedAdmin } from '../../src/security/seed-admin.js';
import { verifyPassword } from '../../src/security/passwords.js';
import { silentLog } from '../support.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freshDatabase(): Promise<{ pool: pg.Pool; db: TestDatabase }> {
  const db = await createTestDatabase();
  const pool = await openDatabase({
    url: db.url,
    service: 'web-test',
    log: silentLog(),
    owner: { name: OWNER, migrationsDir: MIGRATIONS_DIR },
  });
  cleanups.push(async () => {
    await pool.end();
    await db.drop();
  });
  return { pool, db };
}

function capturingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

const hashOf = async (pool: pg.Pool, email: string) =>
  (
    await pool.query<{ password_hash: string }>('SELECT password_hash FROM admin.admin_account WHERE email = $1', [
      email,
    ])
  ).rows[0]?.password_hash;

describe(seedAdmin.name, () => {
  it('creates the first admin from USERSYNC_ADMIN_EMAIL / _PASSWORD, and only while none exists', async () => {
    const { pool } = await freshDatabase();
    const { log, lines } = capturingLog();
    const outcome = await seedAdmin(pool, { email: 'Ops@Example.org', password: 'a very long secret' }, log);
    expect(outcome).toEqual({ created: true, email: 'ops@example.org', generatedPassword: undefined });
    expect(await verifyPassword('a very long secret', (await hashOf(pool, 'ops@example.org'))!)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('a very long secret');
    expect(await seedAdmin(pool, { email: 'other@example.org', password: 'another long secret' }, log)).toEqual({
      created: false,
    });
    const { rows } = await pool.query('SELECT email FROM admin.admin_account');
    expect(rows).toEqual([{ email: 'ops@example.org' }]);
  });

  it('generates a password, shows it once at warn level and writes the credentials file with mode 0600', async () => {
    const { pool } = await freshDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'web-seed-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'nested', 'admin-credentials.txt');
    const { log, lines } = capturingLog();
    const outcome = await seedAdmin(pool, { credentialsFile: file }, log);
    if (!outcome.created || !outcome.generatedPassword) throw new Error('expected a generated admin');
    expect(outcome.email).toBe(DEFAULT_ADMIN_EMAIL);
    expect(outcome.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await verifyPassword(outcome.generatedPassword, (await hashOf(pool, DEFAULT_ADMIN_EMAIL))!)).toBe(true);
    const warn = lines.filter((l) => l.level === 40);
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatchObject({ email: DEFAULT_ADMIN_EMAIL, initialAdminPassword: outcome.generatedPassword });
    expect(String(warn[0]!.msg)).toContain('FIRST ADMIN CREATED WITH A GENERATED PASSWORD');
    expect(await readFile(file, 'utf8')).toBe(
      `email: ${DEFAULT_ADMIN_EMAIL}\npassword: ${outcome.generatedPassword}\n`,
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // A restart shows nothing again.
    const again = capturingLog();
    expect(await seedAdmin(pool, { credentialsFile: file }, again.log)).toEqual({ created: false });
    expect(again.lines.filter((l) => l.level === 40)).toHaveLength(0);
  });

  it('creates exactly one admin when several replicas start at once', async () => {
    const { pool } = await freshDatabase();
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => seedAdmin(pool, {}, silentLog())));
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM admin.admin_account');
    expect(rows[0].n).toBe(1);
  });

  it('refuses a too-short configured password and writes nothing', async () => {
    const { pool } = await freshDatabase();
    await expect(seedAdmin(pool, { email: 'ops@example.org', password: 'short' }, silentLog())).rejects.toThrow(
      /password must be at least 12 characters/,
    );
    const { rows } = await pool.query(
      'SELECT (SELECT count(*) FROM admin.admin_account)::int AS a, (SELECT count(*) FROM admin.audit)::int AS b',
    );
    expect(rows[0]).toEqual({ a: 0, b: 0 });
  });
});
