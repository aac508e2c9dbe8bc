import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesOf, signIn, startPortal, submitLogin, type TestPortal } from '../support.js';
import { createAdminAccount } from '../../src/security/admin-accounts.js';

const HOSTILE = `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`;
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;';
const EVIL = { email: 'mallory@example.org', password: 'a long enough password', displayName: HOSTILE };

let portal: TestPortal;
beforeAll(async () => {
  portal = await startPortal();
  await createAdminAccount(portal.pool, EVIL);
});
afterAll(async () => {
  await portal?.close();
});

function expectEscaped(html: string) {
  expect(html).not.toContain('<script>alert');
  expect(html).not.toContain('<img src=x');
  expect(html).toContain(ESCAPED);
}

describe('hostile input is escaped', () => {
  it('in the breadcrumb (admin display name) and the audit log', async () => {
    const s = await signIn(portal.app, EVIL);
    expectEscaped((await portal.app.inject({ url: '/', cookies: s.cookies })).body);
    await submitLogin(portal.app, { email: HOSTILE, password: 'nope nope nope' });
    expectEscaped((await portal.app.inject({ url: '/audit', cookies: s.cookies })).body);
  });

  it('in the user lookup query', async () => {
    const s = await signIn(portal.app, EVIL);
    const res = await portal.app.inject({ url: `/users/lookup?q=${encodeURIComponent(HOSTILE)}`, cookies: s.cookies });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('User lookup is not available yet');
    expectEscaped(res.body);
  });

  it('in the email echoed by a failed login', async () => {
    const res = await submitLogin(portal.app, { email: HOSTILE, password: 'nope nope nope' });
    expect(res.statusCode).toBe(401);
    expect(cookiesOf(res)['usersync_session']).toBeUndefined();
    expect(res.body).not.toContain('<script>alert');
    // The email is lower-cased as accounts are, then escaped.
    expect(res.body).toContain(
      'value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;"',
    );
  });
});
