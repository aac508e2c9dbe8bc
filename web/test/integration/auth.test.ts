import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, cookiesOf, form, signIn, startPortal, submitLogin, type TestPortal } from '../support.js';

let portal: TestPortal;
beforeAll(async () => {
  portal = await startPortal();
});
afterAll(async () => {
  await portal?.close();
});

describe('sign-in, sessions and sign-out', () => {
  it('sends a visitor without a session to the login page, keeping where they were going', async () => {
    const res = await portal.app.inject('/api-keys');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fapi-keys');
  });

  it('serves the ops routes, the login page and static assets without a session', async () => {
    expect((await portal.app.inject('/healthz')).statusCode).toBe(200);
    expect((await portal.app.inject('/readyz')).statusCode).toBe(200);
    const login = await portal.app.inject('/login');
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain('data-testid="login-form"');
    const htmx = await portal.app.inject('/static/htmx.min.js');
    expect(htmx.statusCode).toBe(200);
    expect(htmx.body).toContain('htmx');
    expect((await portal.app.inject('/static/app.js')).statusCode).toBe(200);
    expect((await portal.app.inject('/static/app.css')).headers['content-type']).toContain('text/css');
  });

  it('sends security headers on every page', async () => {
    const res = await portal.app.inject('/login');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.body).not.toMatch(/<script>|<script [^>]*>[^<]/);
  });

  it('answers a wrong password and an unknown account with the same generic message', async () => {
    const wrong = await submitLogin(portal.app, { email: ADMIN.email, password: 'not the password' });
    const unknown = await submitLogin(portal.app, { email: 'nobody@example.org', password: 'whatever it is' });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('Wrong email or password.');
      expect(cookiesOf(res)['usersync_session']).toBeUndefined();
    }
    const { rows } = await portal.pool.query(
      `SELECT action, target, detail->>'reason' AS reason FROM admin.audit WHERE action = 'login.failed' ORDER BY id`,
    );
    expect(rows).toEqual([
      { action: 'login.failed', target: ADMIN.email, reason: 'wrong_password' },
      { action: 'login.failed', target: 'nobody@example.org', reason: 'unknown_account' },
    ]);
  });

  it('signs in with a hashed server-side session in an httpOnly, SameSite=Lax cookie', async () => {
    const res = await submitLogin(portal.app, { email: ADMIN.email.toUpperCase(), password: ADMIN.password });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const cookie = res.cookies.find((c) => c.name === 'usersync_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeFalsy();
    const { rows } = await portal.pool.query<{ id: string }>('SELECT id FROM admin.session');
    const ids = rows.map((r) => r.id);
    expect(ids).not.toContain(cookie.value);
    expect(ids).toContain(createHash('sha256').update(cookie.value).digest('hex'));
    const home = await portal.app.inject({ url: '/', cookies: { usersync_session: cookie.value } });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain(
      'Ada Admin</span> <span aria-hidden="true">»</span> <a href="/">User sync administration</a>',
    );
  });

  it('rotates the session on login: the earlier session stops working', async () => {
    const first = await signIn(portal.app);
    // A browser that still holds a live session posts the login form again (e.g. from a second tab).
    const login = await portal.app.inject('/login');
    const loginCsrf = cookiesOf(login)['usersync_login_csrf']!;
    const again = await portal.app.inject({
      method: 'POST',
      url: '/login',
      cookies: { ...first.cookies, usersync_login_csrf: loginCsrf },
      ...form({ _csrf: loginCsrf, email: ADMIN.email, password: ADMIN.password }),
    });
    expect(again.statusCode).toBe(303);
    const second = cookiesOf(again)['usersync_session']!;
    expect(second).not.toBe(first.cookies.usersync_session);
    expect((await portal.app.inject({ url: '/', cookies: first.cookies })).statusCode).toBe(303);
    expect((await portal.app.inject({ url: '/', cookies: { usersync_session: second } })).statusCode).toBe(200);
  });

  it('ends a session after the idle timeout and after the absolute lifetime', async () => {
    const idle = await signIn(portal.app);
    const absolute = await signIn(portal.app);
    const idOf = (c: { usersync_session: string }) => createHash('sha256').update(c.usersync_session).digest('hex');
    await portal.pool.query(`UPDATE admin.session SET last_seen_at = now() - interval '31 minutes' WHERE id = $1`, [
      idOf(idle.cookies as { usersync_session: string }),
    ]);
    await portal.pool.query(`UPDATE admin.session SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      idOf(absolute.cookies as { usersync_session: string }),
    ]);
    for (const s of [idle, absolute]) {
      const res = await portal.app.inject({ url: '/', cookies: s.cookies });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/login?next=%2F');
    }
  });

  it('only redirects to same-site paths after login', async () => {
    const evil = await submitLogin(portal.app, { ...ADMIN, next: '//evil.example/steal' });
    expect(evil.headers.location).toBe('/');
    const good = await submitLogin(portal.app, { ...ADMIN, next: '/audit' });
    expect(good.headers.location).toBe('/audit');
  });

  it('signs out: the session is deleted, the cookie cleared and the action audited', async () => {
    const s = await signIn(portal.app);
    const body = form({ _csrf: s.csrf });
    const res = await portal.app.inject({ method: 'POST', url: '/logout', cookies: s.cookies, ...body });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect(cookiesOf(res)['usersync_session']).toBe('');
    expect((await portal.app.inject({ url: '/', cookies: s.cookies })).statusCode).toBe(303);
    const { rows } = await portal.pool.query(`SELECT count(*)::int AS n FROM admin.audit WHERE action = 'logout'`);
    expect(rows[0].n).toBe(1);
  });
});

describe('secure cookies', () => {
  it('marks the session cookie Secure when PUBLIC_URL is https', async () => {
    const secure = await startPortal({ env: { PUBLIC_URL: 'https://portal.example.org' } });
    try {
      const res = await submitLogin(secure.app, ADMIN);
      expect(res.cookies.find((c) => c.name === 'usersync_session')?.secure).toBe(true);
    } finally {
      await secure.close();
    }
  });
});
