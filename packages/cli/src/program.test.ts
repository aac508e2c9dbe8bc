/**
 * The command line itself: help never acts, version, usage errors and their exit codes, against a real
 * database (a `migrate --help` that migrated would leave schemas behind) and through the real binary.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '@usersync/platform';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import { EXIT, runCli } from './program.js';

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/** Runs the CLI in-process against the test database, capturing what it writes. */
async function cli(...argv: string[]) {
  const out = { stdout: '', stderr: '' };
  const code = await runCli(argv, {
    env: { DATABASE_URL: db.url, NATS_URL: 'nats://127.0.0.1:1', LOG_LEVEL: 'warn' },
    stdout: (t) => (out.stdout += t),
    stderr: (t) => (out.stderr += t),
  });
  return { code, ...out };
}

const schemas = async () =>
  (
    await pool.query<{ n: string }>(
      `SELECT nspname AS n FROM pg_namespace WHERE nspname IN ('runs', 'directory', 'keys', 'notify', 'admin') ORDER BY 1`,
    )
  ).rows.map((r) => r.n);

describe('usersync command line', () => {
  it('--help on every command and subcommand prints help, exits 0 and never acts', async () => {
    for (const argv of [
      ['--help'],
      ['migrate', '--help'],
      ['migrate', '-h'],
      ['setup', '--help'],
      ['streams', '--help'],
      ['help', 'migrate'],
      ['admin', '--help'],
      ['admin', 'create', '--help'],
      ['admin', 'create', '--email', 'ops@example.org', '--password', 'long enough password', '--help'],
      ['key', '--help'],
      ['key', 'create', '--help'],
      ['key', 'create', '--name', 'x', '--help'],
      ['key', 'list', '--help'],
      ['key', 'revoke', '--help'],
    ]) {
      const r = await cli(...argv);
      expect(r, argv.join(' ')).toMatchObject({ code: EXIT.ok });
      expect(r.stdout, argv.join(' ')).toMatch(/^Usage: usersync/);
    }
    // Nothing migrated (no schema, no migration table), no admin, no key: help did not act.
    expect(await schemas()).toEqual([]);
  });

  it('prints the version', async () => {
    for (const flag of ['--version', '-V']) expect(await cli(flag)).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('refuses unknown commands and options, and missing or malformed ones, with exit code 2 and a clear message', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['migrat'], /unknown command 'migrat'[\s\S]*Did you mean migrate\?/],
      [['migrate', '--bogus'], /unknown option '--bogus'/],
      [['migrate', 'extra'], /too many arguments for 'migrate'/],
      [['key', 'frobnicate'], /unknown command 'frobnicate'/],
      [['key'], /Usage: usersync key/],
      [['key', 'create'], /required option '--name <name>' not specified/],
      [['key', 'create', '--name', 'x', '--expires', 'tomorrow'], /"tomorrow" is not an ISO date such as 2027-01-01/],
      [['key', 'create', '--name', 'x', '--bogus'], /unknown option '--bogus'/],
      [['key', 'revoke'], /missing required argument 'key-id'/],
      [['admin', 'create', '--email', 'ops@example.org'], /required option '--password <password>' not specified/],
      [[], /Usage: usersync/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(EXIT.usage);
      expect(r.stderr, argv.join(' ')).toMatch(message);
      expect(r.stdout, argv.join(' ')).toBe('');
    }
    expect(await schemas()).toEqual([]);
  });

  it('runs the commands: migrate, admin create, key create/list/revoke, with refusals exiting 3', async () => {
    expect(await cli('migrate')).toMatchObject({ code: 0, stdout: '' });
    expect(await schemas()).toEqual(['admin', 'directory', 'keys', 'notify', 'runs']);

    const admin = await cli('admin', 'create', '--email', 'Ops@Example.org', '--password', 'long enough password');
    expect(admin).toMatchObject({ code: 0, stdout: expect.stringMatching(/^admin ops@example\.org created/) });
    const again = await cli('admin', 'create', '--email', 'ops@example.org', '--password', 'long enough password');
    expect(again).toMatchObject({ code: EXIT.refused, stderr: expect.stringContaining('already exists') });
    const short = await cli('admin', 'create', '--email', 'x@example.org', '--password', 'short');
    expect(short).toMatchObject({ code: EXIT.refused, stderr: expect.stringContaining('at least 12 characters') });

    const created = await cli('key', 'create', '--name', 'nightly', '--expires', '2999-01-01');
    expect(created).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usk_[A-Za-z0-9_-]{43}\n$/) });
    const badScope = await cli('key', 'create', '--name', 'x', '--scopes', 'sync:upload,root');
    expect(badScope).toMatchObject({ code: EXIT.refused, stderr: expect.stringContaining('unknown scope "root"') });
    const list = await cli('key', 'list');
    expect(list.code).toBe(0);
    const id = list.stdout
      .split('\n')
      .find((l) => l.includes('nightly'))!
      .split(/\s+/)[0]!;
    expect(await cli('key', 'revoke', id)).toMatchObject({ code: 0, stderr: expect.stringContaining('revoked key') });
    const unknown = await cli('key', 'revoke', '00000000-0000-4000-8000-000000000000');
    expect(unknown.code).toBe(EXIT.refused);
  });

  it('says which variable is missing, with exit code 4', async () => {
    const err: string[] = [];
    const code = await runCli(['migrate'], { env: {}, stdout: () => undefined, stderr: (t) => err.push(t) });
    expect(code).toBe(EXIT.config);
    expect(err.join('')).toContain('DATABASE_URL is not set');
  });

  it('sets the process exit code as a real process', async () => {
    // The entry point from source (bin/usersync.js runs the same file built), so the test never sees a stale build.
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', main, ...args], {
        env: { PATH: process.env.PATH, DATABASE_URL: db.url },
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    expect(await run('--version')).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    expect(await run('frobnicate')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unknown command 'frobnicate'"),
    });
    expect(await run('key', 'list', '--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('--all') });
  });
});
