/**
 * The generated OpenAPI document against the routes (issue 17 item 6): valid OpenAPI 3, every API
 * route in it with its methods (from fastify's own route table), every documented path answering,
 * every field the routes return described, and the docs page readable without scripts.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRouteTable } from '../support/api-routes.js';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { cancelOpenRuns, controlFile, upload } from '../support/fixtures.js';

interface Doc {
  openapi: string;
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
  >;
}
interface Schema {
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}

let env: GatewayEnv;
let doc: Doc;
let runId: number;
const get = (path: string, auth: string | null = env.authHeader) =>
  fetch(`${env.baseUrl}${path}`, { headers: auth ? { authorization: auth } : {} });

beforeAll(async () => {
  env = await startGatewayEnv({ INGEST_START_SYNC_WAIT_MS: '0' });
  await cancelOpenRuns(env);
  const res = await upload(env, '_control', controlFile(['users']));
  runId = (JSON.parse(res.text) as { runId: number }).runId;
  doc = (await (await get('/api/user-sync/openapi.json')).json()) as Doc;
});
afterAll(async () => {
  await env?.stop();
});

describe('OpenAPI document', () => {
  it('is served only with an API key', async () => {
    expect((await get('/api/user-sync/openapi.json', null)).status).toBe(401);
    expect((await get('/api/user-sync/docs', null)).status).toBe(401);
    const res = await get('/api/user-sync/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('is valid OpenAPI 3', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    if (process.env.OPENAPI_PRINT) console.info(JSON.stringify(doc, null, 1).slice(0, 6000));
  });

  it('lists every API route with its methods, and nothing else', async () => {
    const routes = await apiRouteTable(env.pool);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
    );
    expect(routes.size).toBeGreaterThanOrEqual(10);
    expect([...documented].sort()).toEqual([...routes].sort());
  });

  it('has every documented path answer (not 404)', async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const res = await fetch(`${env.baseUrl}${path.replace('{id}', String(runId))}`, {
          method: method.toUpperCase(),
          headers: { authorization: env.authHeader },
        });
        expect(res.status, `${method} ${path}`).not.toBe(404);
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
      }
    }
  });

  it('describes every field GET runs/:id and GET runs return (progress included)', async () => {
    const schemaOf = (path: string) => doc.paths[path]!.get!.responses['200']!.content!['application/json']!.schema;
    const run = (await (await get(`/api/user-sync/runs/${runId}`)).json()) as Record<string, unknown>;
    const status = schemaOf('/api/user-sync/runs/{id}');
    expect(Object.keys(run).sort()).toEqual(expect.arrayContaining(status.required ?? []));
    expect(Object.keys(run).filter((k) => !(k in status.properties!))).toEqual([]);
    expect(Object.keys(status.properties!)).toContain('progress');
    const list = (await (await get('/api/user-sync/runs')).json()) as { runs: Array<Record<string, unknown>> };
    const item = schemaOf('/api/user-sync/runs').properties!.runs!.items!;
    expect(list.runs.length).toBeGreaterThan(0);
    for (const r of list.runs) expect(Object.keys(r).filter((k) => !(k in item.properties!))).toEqual([]);
  });
});

describe('docs page', () => {
  it('renders every path and method from the document, with no scripts', async () => {
    const res = await get('/api/user-sync/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        expect(html).toContain(`<span class="method">${method.toUpperCase()}</span> <code>${path}</code>`);
      }
    }
    expect(html).toContain('href="/api/user-sync/openapi.json"');
  });
});
