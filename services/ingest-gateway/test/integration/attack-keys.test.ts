/**
 * The upload and status API from an attacker's side (issue 21 item 5): every route from fastify's
 * route table (the OpenAPI document and docs page included) without credentials, with a garbage,
 * revoked and expired key, and with a key of the wrong scope (`scim`). Nothing is served and
 * nothing is recorded; 401s carry the Basic challenge, a wrong scope is Haplo's 403 "Not permitted".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRouteTable } from '../support/api-routes.js';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { cancelOpenRuns, controlFile, upload } from '../support/fixtures.js';

let env: GatewayEnv;
let routes: string[];
let runId: number;
const basic = (secret: string) => `Basic ${Buffer.from(`haplo:${secret}`).toString('base64')}`;

async function recorded() {
  const { rows } = await env.pool.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM runs.run) + (SELECT count(*) FROM runs.run_file) + (SELECT count(*) FROM runs.run_audit) AS n`,
  );
  return rows[0]!.n;
}

/** One request per route; the body is a real upload where the route takes one, so a hole would show. */
async function callEveryRoute(authorization: string | undefined) {
  const answers: Array<{ route: string; status: number; challenge: string | null; body: string }> = [];
  for (const route of routes) {
    const [method, path] = route.split(' ') as [string, string];
    const url = `${env.baseUrl}${path.replace('{id}', String(runId))}`;
    const init: RequestInit = { method: method.toUpperCase(), headers: authorization ? { authorization } : {} };
    if (path.endsWith('/upload-file')) {
      const form = new FormData();
      form.append('name', 'users');
      form.append('file', new Blob(['[]']), 'users.json');
      init.body = form;
    }
    const res = await fetch(url, init);
    answers.push({ route, status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.text() });
  }
  return answers;
}

beforeAll(async () => {
  env = await startGatewayEnv({ INGEST_START_SYNC_WAIT_MS: '0' });
  await cancelOpenRuns(env);
  const res = await upload(env, '_control', controlFile(['users', 'groups']));
  runId = (JSON.parse(res.text) as { runId: number }).runId;
  routes = [...(await apiRouteTable(env.pool, { withDocs: true }))].sort();
});
afterAll(async () => {
  await env?.stop();
});

describe('upload API credentials', () => {
  it('covers every route, both prefixes', () => {
    expect(routes.filter((r) => r.includes('/api/haplo-user-sync/')).length).toBeGreaterThanOrEqual(5);
    expect(routes).toContain('get /api/user-sync/openapi.json');
    expect(routes).toContain('get /api/user-sync/docs');
  });

  const refusedWith401 = async (label: string, authorization: string | undefined) => {
    const before = await recorded();
    const answers = await callEveryRoute(authorization);
    for (const a of answers) {
      expect(a.status, `${label}: ${a.route}`).toBe(401);
      expect(a.challenge, `${label}: ${a.route}`).toBe('Basic realm="usersync"');
      expect(a.body, `${label}: ${a.route}`).not.toMatch(/"id"|openapi|digest/);
    }
    expect(await recorded()).toBe(before);
  };

  it('refuses every route without credentials, or with an empty or malformed Authorization', async () => {
    await refusedWith401('none', undefined);
    await refusedWith401('empty basic', 'Basic ');
    await refusedWith401('not base64', 'Basic %%%%');
    await refusedWith401('empty bearer', 'Bearer ');
    await refusedWith401('other scheme', 'Digest username="haplo"');
  });

  it('refuses an unknown key, as Basic password and as Bearer', async () => {
    await refusedWith401('unknown basic', basic('usk_not_a_real_key'));
    await refusedWith401('unknown bearer', 'Bearer usk_not_a_real_key');
  });

  it('refuses a revoked key on every route, even one used (and cached) just before', async () => {
    const key = await env.createKey();
    expect(
      (await fetch(`${env.baseUrl}/api/user-sync/runs`, { headers: { authorization: basic(key.secret) } })).status,
    ).toBe(200);
    await env.revokeKey(key.id);
    // The revocation event drops the verifier's cache entry; allow it a moment to arrive.
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${env.baseUrl}/api/user-sync/runs`, { headers: { authorization: basic(key.secret) } });
      if (res.status === 401) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await refusedWith401('revoked', basic(key.secret));
  });

  it('refuses an expired key on every route', async () => {
    const key = await env.createKey(['sync:upload'], new Date(Date.now() + 1_500));
    await new Promise((r) => setTimeout(r, 2_000));
    await refusedWith401('expired', basic(key.secret));
    await refusedWith401('expired bearer', `Bearer ${key.secret}`);
  });

  it('refuses a key that expires while the verifier has it cached', async () => {
    const key = await env.createKey(['sync:upload'], new Date(Date.now() + 2_500));
    const runs = () => fetch(`${env.baseUrl}/api/user-sync/runs`, { headers: { authorization: basic(key.secret) } });
    expect((await runs()).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2_700));
    // Well within KEY_CACHE_TTL_MS (30 s): the cached answer must end at the key's expiry.
    await refusedWith401('expired while cached', basic(key.secret));
  });

  it("answers a key without sync:upload (a SCIM key) with Haplo's 403 on every route, recording nothing", async () => {
    const key = await env.createKey(['scim']);
    const before = await recorded();
    for (const a of await callEveryRoute(basic(key.secret))) {
      expect(a.status, a.route).toBe(403);
      expect(a.body, a.route).toBe('Not permitted');
    }
    expect(await recorded()).toBe(before);
  });

  it('serves every route to a valid key (the refusals above are about the key, not the route)', async () => {
    for (const a of await callEveryRoute(env.authHeader)) {
      expect([401, 403, 404, 500, 503], a.route).not.toContain(a.status);
    }
  });
});
