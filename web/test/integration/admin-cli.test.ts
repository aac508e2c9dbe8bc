import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import { createPool } from '@usersync/platform';
import { adminCreate } from '@usersync/cli';
import { verifyPassword } from '../../src/security/passwords.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('usersync admin create', () => {
  it('creates an admin on a fresh database (migrating schema admin first) that can sign in', async () => {
    const out = await adminCreate({ databaseUrl: db.url, email: 'Ops@Example.org', password: 'long enough password' });
    expect(out).toMatch(/^admin ops@example\.org created \(display name "ops", id [0-9a-f-]{36}\)\n$/);
    const pool = createPool(db.url);
    try {
      const { rows } = await pool.query<{ password_hash: string }>(
        `SELECT password_hash FROM admin.admin_account WHERE email = 'ops@example.org'`,
      );
      expect(await verifyPassword('long enough password', rows[0]!.password_hash)).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it('refuses a duplicate email and a short password with a message saying what is wrong', async () => {
    await expect(
      adminCreate({ databaseUrl: db.url, email: 'ops@example.org', password: 'long enough password' }),
    ).rejects.toThrow('an admin with email ops@example.org already exists');
    await expect(
      adminCreate({ databaseUrl: db.url, email: 'not-an-email', password: 'short', displayName: 'X' }),
    ).rejects.toThrow(
      'invalid admin account: email must be an email address (name@host); password must be at least 12 characters',
    );
  });
});
