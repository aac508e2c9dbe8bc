import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startPortal, submitLogin, type TestPortal } from '../support.js';
import { createAdminAccount } from '../../src/security/admin-accounts.js';

let portal: TestPortal;
const OTHER = { email: 'grace@example.org', password: 'another long password' };
beforeAll(async () => {
  portal = await startPortal({ env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '6' } });
  await createAdminAccount(portal.pool, OTHER);
});
afterAll(async () => {
  await portal?.close();
});

const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe('login rate limiting', () => {
  it('answers 429 after too many failures for an account, even with the right password', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await submitLogin(portal.app, { email: ADMIN.email, password: `wrong ${i}` })).statusCode).toBe(401);
    }
    const limited = await submitLogin(portal.app, ADMIN);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('900');
    expect(limited.body).toContain('Too many failed sign-in attempts for this account. Wait 15 minutes and try again.');
    const { rows } = await portal.pool.query(
      `SELECT count(*)::int AS n FROM admin.audit WHERE action = 'login.rate_limited'`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('does not limit other accounts, and works again once the window has passed', async () => {
    expect((await submitLogin(portal.app, OTHER)).statusCode).toBe(303);
    await portal.pool.query(`UPDATE admin.login_attempt SET at = at - interval '16 minutes' WHERE email = $1`, [
      ADMIN.email,
    ]);
    expect((await submitLogin(portal.app, ADMIN)).statusCode).toBe(303);
  });

  it('limits a client address that tries many accounts', async () => {
    await portal.pool.query('DELETE FROM admin.login_attempt');
    const limited = await startPortal({
      env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '4', TRUST_PROXY: 'true' },
    });
    try {
      for (let i = 0; i < 4; i++) {
        const res = await submitLogin(
          limited.app,
          { email: `guess${i}@example.org`, password: 'guess guess' },
          from('203.0.113.9'),
        );
        expect(res.statusCode).toBe(401);
      }
      const blocked = await submitLogin(limited.app, ADMIN, from('203.0.113.9'));
      expect(blocked.statusCode).toBe(429);
      expect(blocked.body).toContain('for your network address');
      expect((await submitLogin(limited.app, ADMIN, from('198.51.100.7'))).statusCode).toBe(303);
    } finally {
      await limited.close();
    }
  });
});
