import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ValidationError, createPool } from '@usersync/platform';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import { verifyKey } from '@usersync/key-service';
import { runCli } from '../program.js';
import { keyCreate, keyList, keyRevoke } from './keys.js';

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

describe('usersync key', () => {
  it('create prints only the secret on stdout, and VerifyKey accepts it', async () => {
    const out = await keyCreate({ name: 'nightly', expires: '2999-01-01' }, { databaseUrl: db.url });
    expect(out.stdout).toMatch(/^usk_[A-Za-z0-9_-]{43}\n$/);
    expect(out.stderr).toContain('nightly');
    expect(out.stderr).toContain('2999-01-01T00:00:00.000Z');
    expect(out.stderr).not.toContain(out.stdout.trim());
    const v = await verifyKey({ pool }, { secret: out.stdout.trim(), requiredScope: 'sync:upload' });
    expect(v).toMatchObject({ valid: true, key: { name: 'nightly', scopes: ['sync:upload'] } });
    const { rows } = await pool.query(`SELECT created_by FROM keys.api_key WHERE id = $1`, [v.key!.id]);
    expect(rows[0].created_by).toMatchObject({ kind: 'system', id: 'cli' });
  });

  it('list prints a table without secrets; revoke refuses the key afterwards and is a no-op the second time', async () => {
    const { stdout: secret } = await keyCreate({ name: 'to revoke', scopes: ['sync:upload'] }, { databaseUrl: db.url });
    const before = await keyList({}, { databaseUrl: db.url });
    const lines = before.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+PREFIX\s+SCOPES\s+CREATED\s+CREATED BY\s+LAST USED\s+EXPIRES\s+REVOKED$/);
    const row = lines.find((l) => l.includes('to revoke'))!;
    expect(row).toContain(secret.slice(0, 12));
    expect(before.stdout).not.toContain(secret.trim().slice(12));

    const id = row.split(/\s+/)[0]!;
    const revoked = await keyRevoke({ id }, { databaseUrl: db.url });
    expect(revoked).toEqual({ stdout: '', stderr: expect.stringMatching(new RegExp(`^revoked key ${id}`)) });
    expect((await keyRevoke({ id }, { databaseUrl: db.url })).stderr).toContain('already revoked');
    expect((await verifyKey({ pool }, { secret: secret.trim(), requiredScope: '' })).reason).toBe('revoked');

    expect((await keyList({}, { databaseUrl: db.url })).stdout).not.toContain(id);
    expect((await keyList({ all: true }, { databaseUrl: db.url })).stdout).toContain(id);
  });

  it('refuses bad arguments with a clear message and writes nothing', async () => {
    const ctx = { databaseUrl: db.url };
    await expect(keyCreate({ name: 'x', expires: 'tomorrow' }, ctx)).rejects.toThrow(
      /--expires: "tomorrow" is not an ISO date/,
    );
    await expect(keyCreate({ name: 'x', scopes: ['sync:upload', 'root'] }, ctx)).rejects.toThrow(
      /unknown scope "root"/,
    );
    await expect(keyCreate({ name: 'x', scopes: ['root'] }, ctx)).rejects.toBeInstanceOf(ValidationError);
    // Through the command line: usage errors (2) before anything is opened.
    const env = { DATABASE_URL: db.url };
    const quiet = { env, stdout: () => undefined, stderr: () => undefined };
    expect(await runCli(['key', 'create'], quiet)).toBe(2);
    expect(await runCli(['key', 'create', '--name', 'x', '--bogus'], quiet)).toBe(2);
    expect(await runCli(['key', 'revoke'], quiet)).toBe(2);
    expect(await runCli(['key', 'frobnicate'], quiet)).toBe(2);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM keys.api_key WHERE name = 'x'`);
    expect(rows[0].n).toBe(0);
  });
});
