/**
 * Requests as a signed-in admin's browser makes them, through app.inject(): GET with the session cookie,
 * form POSTs with the CSRF token, multipart POSTs (`_csrf` first), and the portal's audit rows.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { cancelOpenRuns, startRunsEnv, type RunsEnv } from './runs-env.js';
import { form, signIn } from './support.js';

export interface AdminRequests {
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse>;
  postMultipart(
    url: string,
    fields: Array<[string, string] | [string, string, string]>,
  ): Promise<LightMyRequestResponse>;
  /** The portal's audit rows (admin.audit), oldest first. */
  auditActions(): Promise<Array<{ action: string; target: string; actor: { displayName: string } }>>;
  cookies: Record<string, string>;
  csrf: string;
}

/** Signs in through the real login form and returns request helpers carrying that session. */
export async function signedInAdmin(portal: { app: FastifyInstance; pool: pg.Pool }): Promise<AdminRequests> {
  const { app, pool } = portal;
  const { cookies, csrf } = await signIn(app);
  return {
    cookies,
    csrf,
    get: (url, headers = {}) => app.inject({ method: 'GET', url, cookies, headers }),
    post: (url, fields) => {
      const body = form({ _csrf: csrf, ...fields });
      return app.inject({ method: 'POST', url, cookies, headers: body.headers, payload: body.payload });
    },
    async postMultipart(url, fields) {
      const fd = new FormData();
      for (const [name, value, filename] of fields) {
        if (filename !== undefined) fd.append(name, new Blob([value]), filename);
        else fd.append(name, value);
      }
      const res = new Response(fd);
      return app.inject({
        method: 'POST',
        url,
        cookies,
        headers: { 'content-type': res.headers.get('content-type')! },
        payload: Buffer.from(await res.arrayBuffer()),
      });
    },
    async auditActions() {
      const { rows } = await pool.query('SELECT action, target, actor FROM admin.audit ORDER BY id');
      return rows as Array<{ action: string; target: string; actor: { displayName: string } }>;
    },
  };
}

/**
 * The suite's real ingest-gateway, key-service and portal with a signed-in admin: started before the tests
 * (handed to `ready`), stopped after them, and (`cleanEachTest`, the default) no open run left between tests.
 */
export function useSignedInRunsEnv(
  ready: (env: RunsEnv, admin: AdminRequests) => void,
  opts: { cleanEachTest?: boolean } = {},
): void {
  let env: RunsEnv | undefined;
  beforeAll(async () => {
    env = await startRunsEnv();
    ready(env, await signedInAdmin(env.portal));
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });
  if (opts.cleanEachTest !== false) {
    beforeEach(async () => {
      if (env) await cancelOpenRuns(env);
    });
  }
}
