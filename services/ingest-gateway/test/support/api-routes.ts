/**
 * The upload API's routes as fastify registers them (from an onRoute hook on a bare app carrying
 * `registerUploadApi`), as `"<method> <path>"` with OpenAPI-style `{param}`s: the tests that must
 * cover every route (OpenAPI, attacker) enumerate this, so a new route is covered the day it exists.
 */
import Fastify from 'fastify';
import type { Pool } from 'pg';
import { registerUploadApi } from '../../src/handlers/http/upload-api.js';

export async function apiRouteTable(pool: Pool, opts: { withDocs?: boolean } = {}): Promise<Set<string>> {
  const app = Fastify();
  const routes = new Set<string>();
  app.addHook('onRoute', (route) => {
    for (const m of [route.method].flat()) {
      if (m === 'HEAD' || !route.url.startsWith('/api/')) continue;
      if (!opts.withDocs && (route.url.endsWith('/openapi.json') || route.url.endsWith('/docs'))) continue;
      routes.add(`${m.toLowerCase()} ${route.url.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    }
  });
  const unused = () => Promise.reject(new Error('not called'));
  await registerUploadApi(app, {
    pool,
    uploader: { upload: unused, stage: unused, precheck: unused },
    auth: { readSecret: () => undefined, verify: unused },
    maxBytes: 1,
    startSync: unused,
    checkDependencies: unused,
  });
  await app.ready();
  await app.close();
  return routes;
}
