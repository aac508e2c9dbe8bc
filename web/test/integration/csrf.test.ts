import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, cookiesOf, form, signIn, startPortal, type TestPortal } from '../support.js';

let portal: TestPortal;
beforeAll(async () => {
  portal = await startPortal();
});
afterAll(async () => {
  await portal?.close();
});

describe('CSRF protection', () => {
  it('refuses a POST without the session token with a 403 page, and does nothing', async () => {
    const s = await signIn(portal.app);
    for (const url of ['/logout', '/api-keys', '/api-keys/00000000-0000-4000-8000-000000000000/revoke']) {
      const res = await portal.app.inject({ method: 'POST', url, cookies: s.cookies, ...form({ name: 'x' }) });
      expect(res.statusCode, url).toBe(403);
      expect(res.body).toContain('data-testid="error-message"');
    }
    // The session survived the refused logout.
    expect((await portal.app.inject({ url: '/', cookies: s.cookies })).statusCode).toBe(200);
  });

  it("refuses another session's token and an empty one", async () => {
    const mine = await signIn(portal.app);
    const theirs = await signIn(portal.app);
    for (const token of [theirs.csrf, '']) {
      const res = await portal.app.inject({
        method: 'POST',
        url: '/logout',
        cookies: mine.cookies,
        ...form({ _csrf: token }),
      });
      expect(res.statusCode).toBe(403);
    }
  });

  it('accepts the token in the X-CSRF-Token header (htmx requests)', async () => {
    const s = await signIn(portal.app);
    const res = await portal.app.inject({
      method: 'POST',
      url: '/logout',
      cookies: s.cookies,
      headers: { 'x-csrf-token': s.csrf, 'hx-request': 'true' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['hx-redirect']).toBe('/login');
  });

  it('puts the token on <body hx-headers> and in every POST form', async () => {
    const s = await signIn(portal.app);
    const page = await portal.app.inject({ url: '/api-keys/new', cookies: s.cookies });
    expect(page.body).toContain(`hx-headers="{&quot;X-CSRF-Token&quot;:&quot;${s.csrf}&quot;}"`);
    const forms = page.body.match(/<form[^>]*method="post"[^>]*>[\s\S]*?<\/form>/g) ?? [];
    expect(forms.length).toBe(2);
    for (const f of forms) expect(f).toContain(`name="_csrf" value="${s.csrf}"`);
  });

  it('refuses a login POST without the login form token (login CSRF)', async () => {
    const noToken = await portal.app.inject({ method: 'POST', url: '/login', ...form(ADMIN) });
    expect(noToken.statusCode).toBe(403);
    const page = await portal.app.inject('/login');
    const cookie = cookiesOf(page)['usersync_login_csrf']!;
    const mismatch = await portal.app.inject({
      method: 'POST',
      url: '/login',
      cookies: { usersync_login_csrf: cookie },
      ...form({ ...ADMIN, _csrf: 'forged-token-forged-token-forged-token-abcd' }),
    });
    expect(mismatch.statusCode).toBe(403);
    expect(cookiesOf(mismatch)['usersync_session']).toBeUndefined();
  });
});
