/**
 * The portal from an attacker's side (issue 21 item 5), every route from fastify's route table:
 * without a session (or with a forged or signed-out one) a page is never served: the browser is sent
 * to the login (htmx gets HX-Redirect); every state-changing request with a session but without its
 * CSRF token, or with another session's token, is refused with 403 and changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { useSignedInRunsEnv, signedInAdmin } from '../portal-requests.js';
import { concreteUrl, portalRouteTable, type PortalRoute } from '../route-table.js';
import { readyRun, type RunsEnv } from '../runs-env.js';
import { signIn } from '../support.js';

let env: RunsEnv;
useSignedInRunsEnv((e) => (env = e), { cleanEachTest: false });

const B = '----attackBoundary';
const multipartWith = (token: string | undefined) => ({
  headers: { 'content-type': `multipart/form-data; boundary=${B}` },
  payload:
    (token !== undefined ? `--${B}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n` : '') +
    `--${B}\r\nContent-Disposition: form-data; name="file"; filename="_control.json"\r\n\r\n{}\r\n--${B}--\r\n`,
});
const formWith = (token: string | undefined) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams({
    ...(token !== undefined ? { _csrf: token } : {}),
    name: 'x',
    reason: 'attack',
  }).toString(),
});

/** Rows in the tables a successful POST would change. */
async function state(): Promise<string> {
  const admin = await env.portal.pool.query('SELECT count(*) AS n FROM admin.audit');
  const runs = await env.runsDb.query(
    `SELECT (SELECT count(*) FROM runs.run_audit) AS a, (SELECT string_agg(id || status, ',' ORDER BY id) FROM runs.run) AS r`,
  );
  return JSON.stringify([admin.rows[0], runs.rows[0]]);
}

let routes: PortalRoute[];
async function privateRoutes(): Promise<PortalRoute[]> {
  routes ??= await portalRouteTable(env.portal);
  return routes.filter((r) => !r.public);
}

describe('portal routes without a session', () => {
  it('sends every private route to the login, for a missing, forged and signed-out session', async () => {
    const runId = await readyRun(env);
    const signedOut = await signIn(env.portal.app);
    await env.portal.app.inject({
      method: 'POST',
      url: '/logout',
      cookies: signedOut.cookies,
      payload: `_csrf=${signedOut.csrf}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const sessions: Array<[string, Record<string, string>]> = [
      ['none', {}],
      ['forged', { usersync_session: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
      ['signed out', signedOut.cookies],
    ];
    const list = await privateRoutes();
    expect(list.length).toBeGreaterThan(20);
    const before = await state();
    for (const route of list) {
      const url = concreteUrl(route.url, runId);
      for (const [label, cookies] of sessions) {
        const body = route.multipart ? multipartWith('x') : formWith('x');
        const res = await env.portal.app.inject({
          method: route.method as 'GET',
          url,
          cookies,
          ...(route.method === 'GET' ? {} : body),
        });
        const where = `${label}: ${route.method} ${url}`;
        expect(res.statusCode, where).toBe(303);
        expect(res.headers.location, where).toMatch(/^\/login(\?next=|$)/);
        if (route.method === 'GET') expect(res.headers.location, where).toBe(`/login?next=${encodeURIComponent(url)}`);
        expect(res.body, where).not.toMatch(/data-testid|<main/);
        // htmx: a full navigation to the login, never a fragment.
        const hx = await env.portal.app.inject({
          method: route.method as 'GET',
          url,
          cookies,
          headers: { 'hx-request': 'true' },
        });
        expect(hx.statusCode, `htmx ${where}`).toBe(204);
        expect(String(hx.headers['hx-redirect']), `htmx ${where}`).toMatch(/^\/login/);
      }
    }
    expect(await state()).toBe(before);
  }, 120_000);
});

describe('CSRF on every state-changing route', () => {
  it("refuses every POST without the token, and with another session's valid token, changing nothing", async () => {
    const runId = await readyRun(env);
    const posts = (await privateRoutes()).filter((r) => r.method !== 'GET');
    expect(posts.length).toBeGreaterThan(5);
    const mine = await signedInAdmin(env.portal);
    const theirs = await signIn(env.portal.app);
    const before = await state();
    for (const route of posts) {
      const url = concreteUrl(route.url, runId);
      for (const [label, token] of [
        ['no token', undefined],
        ["another session's token", theirs.csrf],
        ['empty token', ''],
      ] as const) {
        const body = route.multipart ? multipartWith(token) : formWith(token);
        const res = await env.portal.app.inject({
          method: route.method as 'POST',
          url,
          cookies: mine.cookies,
          ...body,
        });
        expect(res.statusCode, `${label}: ${route.method} ${url}`).toBe(403);
      }
    }
    expect(await state()).toBe(before);
    // Both sessions are still alive: a refused logout did not sign anyone out.
    expect((await mine.get('/')).statusCode).toBe(200);
    expect((await env.portal.app.inject({ url: '/', cookies: theirs.cookies })).statusCode).toBe(200);
  }, 120_000);
});
