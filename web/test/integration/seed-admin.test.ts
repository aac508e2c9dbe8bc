import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { pino } from 'pino';
import { openDatabase } from '@usersync/platform';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import { MIGRATIONS_DIR, OWNER } from '../../src/app.js';
import { DEFAULT_ADMIN_EMAIL, DEFAULT_CREDENTIALS_FILE, seedAdmin } from '../../src/security/seed-admin.js';
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

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'web-seed-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function capturingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(chunk.toString('utf8'));
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines, raw };
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
    expect(outcome).toEqual({
      created: true,
      email: 'ops@example.org',
      generatedPassword: undefined,
      credentialsFile: undefined,
    });
    expect(await verifyPassword('a very long secret', (await hashOf(pool, 'ops@example.org'))!)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('a very long secret');
    expect(await seedAdmin(pool, { email: 'other@example.org', password: 'another long secret' }, log)).toEqual({
      created: false,
    });
    const { rows } = await pool.query('SELECT email FROM admin.admin_account');
    expect(rows).toEqual([{ email: 'ops@example.org' }]);
  });

  it('generates a password, writes it only to the credentials file (mode 0600) and logs only the path', async () => {
    const { pool } = await freshDatabase();
    const dir = await tempDir();
    const file = join(dir, 'nested', 'admin-credentials.txt');
    const { log, lines, raw } = capturingLog();
    const outcome = await seedAdmin(pool, { credentialsFile: file }, log);
    if (!outcome.created || !outcome.generatedPassword) throw new Error('expected a generated admin');
    expect(outcome.email).toBe(DEFAULT_ADMIN_EMAIL);
    expect(outcome.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await verifyPassword(outcome.generatedPassword, (await hashOf(pool, DEFAULT_ADMIN_EMAIL))!)).toBe(true);
    const warn = lines.filter((l) => l.level === 40);
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatchObject({ email: DEFAULT_ADMIN_EMAIL, credentialsFile: file });
    expect(String(warn[0]!.msg)).toContain('FIRST ADMIN CREATED WITH A GENERATED PASSWORD');
    // Not in any line, under any key, nor any part of it (the raw bytes the logger wrote).
    expect(raw.join('')).not.toContain(outcome.generatedPassword);
    expect(raw.join('')).not.toContain(outcome.generatedPassword.slice(0, 12));
    // Nor in the audit trail.
    const audit = await pool.query<{ detail: unknown }>('SELECT detail FROM admin.audit');
    expect(JSON.stringify(audit.rows)).not.toContain(outcome.generatedPassword);
    expect(await readFile(file, 'utf8')).toBe(
      `email: ${DEFAULT_ADMIN_EMAIL}\npassword: ${outcome.generatedPassword}\n`,
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // A restart shows nothing again.
    const again = capturingLog();
    expect(await seedAdmin(pool, { credentialsFile: file }, again.log)).toEqual({ created: false });
    expect(again.lines.filter((l) => l.level === 40)).toHaveLength(0);
  });

  it('writes the credentials file in the working directory by default', async () => {
    const { pool } = await freshDatabase();
    const dir = await tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { log, raw } = capturingLog();
      const outcome = await seedAdmin(pool, {}, log);
      if (!outcome.created || !outcome.generatedPassword) throw new Error('expected a generated admin');
      const file = join(dir, DEFAULT_CREDENTIALS_FILE);
      expect(outcome.credentialsFile).toBe(file);
      expect(await readFile(file, 'utf8')).toContain(`password: ${outcome.generatedPassword}\n`);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(raw.join('')).toContain(JSON.stringify(file));
      expect(raw.join('')).not.toContain(outcome.generatedPassword);
    } finally {
      process.chdir(cwd);
    }
  });

  it('creates no admin when the credentials file cannot be written, and says why', async () => {
    const { pool } = await freshDatabase();
    const dir = await tempDir();
    // A directory where the file should be: writing it fails (EISDIR) even as root.
    const file = join(dir, 'taken');
    await mkdir(file);
    await expect(seedAdmin(pool, { credentialsFile: file }, silentLog())).rejects.toThrow(/EISDIR/);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM admin.admin_account');
    expect(rows[0].n).toBe(0);
  });

  it('creates exactly one admin when several replicas start at once', async () => {
    const { pool } = await freshDatabase();
    const file = join(await tempDir(), 'admin-credentials.txt');
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => seedAdmin(pool, { credentialsFile: file }, silentLog())));
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
