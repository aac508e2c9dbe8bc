/**
 * Test support for the portal: a fresh database with schema `admin`, a built (not listening)
 * server, and helpers that sign in through the real login form.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import { pino, type Logger } from 'pino';
import { openDatabase } from '@usersync/platform';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import { MIGRATIONS_DIR, OWNER } from '../src/app.js';
import { createAdminAccount } from '../src/security/admin-accounts.js';
import { createKeyClient, type KeyClient } from '../src/clients/key.client.js';
import { createRunClient, type RunClient } from '../src/clients/run.client.js';
import { loadConfig, type Config } from '../src/config.js';
import { buildServer } from '../src/server.js';

/** An address nothing listens on (port 1 is reserved): calls fail fast with UNAVAILABLE. */
export const NOWHERE = '127.0.0.1:1';
export const ADMIN = { email: 'ada@example.org', password: 'correct horse battery', displayName: 'Ada Admin' };

export const silentLog = (): Logger => pino({ level: 'silent' });

export interface TestPortal {
  app: FastifyInstance;
  pool: pg.Pool;
  config: Config;
  db: TestDatabase;
  keys: KeyClient;
  close(): Promise<void>;
}

/** A database with schema `admin` and one admin (ADMIN), and the portal built over it. */
export async function startPortal(
  opts: { env?: Record<string, string>; keyServiceAddr?: string; runServiceAddr?: string; log?: Logger } = {},
): Promise<TestPortal> {
  const db = await createTestDatabase();
  const log = opts.log ?? silentLog();
  // Peers default to a closed port so no test depends on what else runs on this machine.
  const config = loadConfig({
    DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    LOOKUP_SERVICE_ADDR: NOWHERE,
    // The audit page reads RunAuditService at this address (the same server as RunService).
    RUN_SERVICE_ADDR: opts.runServiceAddr ?? NOWHERE,
    ...opts.env,
  });
  const pool = await openDatabase({
    url: db.url,
    service: 'web-test',
    log,
    owner: { name: OWNER, migrationsDir: MIGRATIONS_DIR },
  });
  await createAdminAccount(pool, ADMIN);
  const keys = createKeyClient(opts.keyServiceAddr ?? NOWHERE);
  const runs: RunClient = createRunClient(opts.runServiceAddr ?? NOWHERE, () => undefined);
  const app = await buildServer({ pool, config, log, keys, runs });
  return {
    app,
    pool,
    config,
    db,
    keys,
    async close() {
      await app.close();
      keys.close();
      runs.close();
      await pool.end();
      await db.drop();
    },
  };
}

/** Cookies from Set-Cookie headers, as name → value (cleared cookies have an empty value). */
export function cookiesOf(res: LightMyRequestResponse): Record<string, string> {
  return Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
}

/** The value of a hidden input named `name` in an HTML page. */
export function hiddenField(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no hidden field ${name} in the page`);
  return m[1]!;
}

/** A urlencoded form body, as browsers post it. */
export function form(fields: Record<string, string>): { headers: Record<string, string>; payload: string } {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  };
}

/** Submits the login form as a browser would; returns the response and the login CSRF cookie used. */
export async function submitLogin(
  app: FastifyInstance,
  creds: { email: string; password: string; next?: string },
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const page = await app.inject({ method: 'GET', url: '/login', headers });
  const token = cookiesOf(page)['usersync_login_csrf']!;
  const body = form({ _csrf: token, email: creds.email, password: creds.password, next: creds.next ?? '' });
  return app.inject({
    method: 'POST',
    url: '/login',
    headers: { ...headers, ...body.headers },
    cookies: { usersync_login_csrf: token },
    payload: body.payload,
  });
}

/** Signs in as ADMIN (or `creds`); returns the session cookie and the session's CSRF token. */
export async function signIn(
  app: FastifyInstance,
  creds: { email: string; password: string } = ADMIN,
): Promise<{ cookies: Record<string, string>; csrf: string }> {
  const res = await submitLogin(app, creds);
  if (res.statusCode !== 303) throw new Error(`login failed with ${res.statusCode}`);
  const cookies = { usersync_session: cookiesOf(res)['usersync_session']! };
  const home = await app.inject({ method: 'GET', url: '/api-keys/new', cookies });
  return { cookies, csrf: hiddenField(home.body, '_csrf') };
}
