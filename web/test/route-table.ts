/**
 * The portal's routes as fastify registers them (buildServer's onRoute option), so the tests that
 * must cover every route (forms fuzz, attacker tests) pick a new route up the day it is added.
 */
import type { RouteOptions } from 'fastify';
import type pg from 'pg';
import { buildServer } from '../src/server.js';
import type { Config } from '../src/config.js';
import type { KeyClient } from '../src/clients/key.client.js';
import { silentLog } from './support.js';

export interface PortalRoute {
  method: string;
  url: string;
  /** Registered public (login, static files, health): no session needed. */
  public: boolean;
  /** Multipart forms check their CSRF token in the first field. */
  multipart: boolean;
}

export async function portalRouteTable(portal: {
  pool: pg.Pool;
  config: Config;
  keys: KeyClient;
}): Promise<PortalRoute[]> {
  const routes: PortalRoute[] = [];
  const onRoute = (route: RouteOptions) => {
    const config = (route.config ?? {}) as { public?: boolean; csrf?: unknown };
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: route.url, public: config.public === true, multipart: config.csrf !== undefined });
    }
  };
  // Clients are never called while routes are registered; lookup is given so none is created.
  const app = await buildServer({
    pool: portal.pool,
    config: portal.config,
    log: silentLog(),
    keys: portal.keys,
    runs: undefined as never,
    lookup: { close() {} } as never,
    onRoute,
  });
  await app.close();
  return routes;
}

/** A concrete URL for a route pattern: run ids become `runId`, other params a harmless word. */
export function concreteUrl(pattern: string, runId: number): string {
  return pattern
    .replace(/:(runId|id)\b/g, String(runId))
    .replace(/\*$/, 'app.css')
    .replace(/:[A-Za-z]+/g, 'x');
}
