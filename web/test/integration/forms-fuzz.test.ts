/**
 * Malformed bodies to every state-changing route of the portal (issue 21 item 1) answer 4xx, never
 * 5xx. Routes come from fastify's own route table (an onRoute hook), so a new route is covered the
 * day it is added. Requests carry a live session and its CSRF token, so they reach body parsing and
 * the handlers (the CSRF gate itself is attack-csrf's business), against a real gateway.
 */
import { describe, expect, it } from 'vitest';
import { useSignedInRunsEnv, signedInAdmin } from '../portal-requests.js';
import { readyRun, type RunsEnv } from '../runs-env.js';
import { concreteUrl, portalRouteTable } from '../route-table.js';

let env: RunsEnv;
useSignedInRunsEnv((e) => (env = e), { cleanEachTest: false });

/** Every route with a body (POST, PUT, PATCH, DELETE) as fastify registers it. */
async function bodyRoutes(): Promise<Array<{ method: string; url: string }>> {
  return (await portalRouteTable(env.portal)).filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
}

const FIELDS = [
  'name',
  'reason',
  'email',
  'password',
  'next',
  'scopes',
  'expiresAt',
  'actions',
  'excluded',
  'confirm',
  'username',
  'value',
  'autoApply',
  'maxBlockPercent',
  'maxBlockCount',
  'file',
  'q',
];
const B = '----formsFuzzBoundary';

function variants(csrf: string): Array<{ label: string; type?: string; payload: Buffer | string }> {
  const arrays = [`_csrf=${csrf}`, ...FIELDS.flatMap((f) => [`${f}=a`, `${f}=b`])].join('&');
  const multipartHead = `--${B}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`;
  return [
    { label: 'no content-type', payload: `_csrf=${csrf}` },
    { label: 'text/plain', type: 'text/plain', payload: `_csrf=${csrf}` },
    { label: 'bad json', type: 'application/json', payload: '{"_csrf": ' },
    { label: 'xml', type: 'application/xml', payload: '<a/>' },
    { label: 'odd content-type', type: 'multipart/form-data', payload: 'x' },
    { label: 'truncated urlencoded', type: 'application/x-www-form-urlencoded', payload: `_csrf=${csrf}&name=%E` },
    {
      label: 'invalid utf-8',
      type: 'application/x-www-form-urlencoded',
      payload: Buffer.concat([
        Buffer.from(`_csrf=${csrf}&name=`),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('&reason=%FF%FE'),
      ]),
    },
    { label: 'only the token', type: 'application/x-www-form-urlencoded', payload: `_csrf=${csrf}` },
    { label: 'arrays for scalars', type: 'application/x-www-form-urlencoded', payload: arrays },
    { label: 'csrf twice', type: 'application/x-www-form-urlencoded', payload: `_csrf=${csrf}&_csrf=${csrf}&name=x` },
    {
      label: 'oversized',
      type: 'application/x-www-form-urlencoded',
      payload: `_csrf=${csrf}&name=${'a'.repeat(300 * 1024)}`,
    },
    {
      label: 'truncated multipart',
      type: `multipart/form-data; boundary=${B}`,
      payload: `${multipartHead}--${B}\r\nContent-Disposition: form-data; name="file"; filename="x.json"\r\n\r\n[{"a`,
    },
    { label: 'multipart no boundary', type: 'multipart/form-data', payload: multipartHead },
    { label: 'multipart wrong boundary', type: 'multipart/form-data; boundary=nope', payload: multipartHead },
    {
      label: 'multipart bare LF',
      type: `multipart/form-data; boundary=${B}`,
      payload: multipartHead.replace(/\r\n/g, '\n') + `--${B}--\n`,
    },
    {
      label: 'multipart fields only',
      type: `multipart/form-data; boundary=${B}`,
      payload: `${multipartHead}--${B}\r\nContent-Disposition: form-data; name="reason"\r\n\r\nx\r\n--${B}--\r\n`,
    },
  ];
}

/**
 * This environment runs no key-service or lookup-service for the portal (API keys, users, the recycle bin) (the gateway's key-service is
 * its own): those routes answer 503 "not answering" once the body is read, which is the outage page,
 * not a parse failure. Every other 5xx fails the test.
 */
const unwired = (url: string, status: number, body: string) =>
  status === 503 && /^\/(api-keys|users|recycle-bin)\b/.test(url) && body.includes('is not answering');

describe('portal forms fuzz', () => {
  it('answers malformed bodies to every POST route with a 4xx (or a redirect), never a 5xx', async () => {
    const routes = await bodyRoutes();
    expect(routes.length).toBeGreaterThan(10);
    const runId = await readyRun(env);
    const failures: string[] = [];
    let tried = 0;
    // /logout last: it ends the session the other requests use.
    routes.sort((a, b) => Number(a.url === '/logout') - Number(b.url === '/logout'));
    for (const route of routes) {
      const url = concreteUrl(route.url, runId);
      // A fresh session per route: one route's side effect (revoke, sign out) never hides another's answer.
      const admin = await signedInAdmin(env.portal);
      for (const v of variants(admin.csrf)) {
        const res = await env.portal.app.inject({
          method: route.method as 'POST',
          url,
          cookies: admin.cookies,
          headers: v.type ? { 'content-type': v.type } : {},
          payload: v.payload,
        });
        tried++;
        if (res.statusCode >= 500 && !unwired(url, res.statusCode, res.body))
          failures.push(`${route.method} ${url} ${v.label}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    console.info(`forms fuzz: ${tried} requests over ${routes.length} routes`);
    expect(failures).toEqual([]);
  }, 180_000);
});
