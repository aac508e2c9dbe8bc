/**
 * The user lookup pages over the real lookup-service and a directory filled by the real apply worker
 * (its test harness creates and applies the runs); the portal is built with inject() on the same database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openDatabase, type ServiceApp } from '@usersync/platform';
import { freePort } from '@usersync/devstack';
import * as lookupService from '@usersync/lookup-service';
import { processRun } from '../../../services/apply-worker/src/usecases/apply-run.js';
import {
  createHarness,
  createRunningRun,
  logText,
  setConfig,
  type Harness,
} from '../../../services/apply-worker/test/support/harness.js';
import { people, simpleConfig, simpleControl } from '../../../services/apply-worker/test/support/simple-feed.js';
import { MIGRATIONS_DIR, OWNER } from '../../src/app.js';
import { createAdminAccount } from '../../src/security/admin-accounts.js';
import { createKeyClient } from '../../src/clients/key.client.js';
import { createLookupClient, type LookupClient } from '../../src/clients/lookup.client.js';
import { createRunClient } from '../../src/clients/run.client.js';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/server.js';
import { ADMIN, NOWHERE, form, signIn, silentLog } from '../support.js';

const HOSTILE = '<script>alert(1)</script>';
let h: Harness;
let service: ServiceApp;
let lookup: LookupClient;
let app: FastifyInstance;
let session: { cookies: Record<string, string>; csrf: string };
const runs: number[] = [];
const keys = createKeyClient(NOWHERE);
const runClient = createRunClient(NOWHERE, () => undefined);

const records = (over: (n: number) => Record<string, unknown> = () => ({})) =>
  people(14, (n) => ({ ...(n === 1 || n === 2 ? { EMAIL: 'Shared@Example.org' } : {}), ...over(n) }));

async function apply(data: object[]): Promise<number> {
  const runId = await createRunningRun(h, { _control: simpleControl, users: data });
  expect(await processRun({ pool: h.pool, objects: h.objects, log: h.log }, runId)).toBe('complete');
  runs.push(runId);
  return runId;
}

const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ url, cookies: session.cookies, headers });

beforeAll(async () => {
  h = await createHarness();
  await setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 100, maxBlockCount: null });
  // u0 changes in each of 12 runs, so its history spans two pages of ten.
  for (let i = 0; i < 12; i++) await apply(records((n) => (n === 0 ? { FIRST: i === 11 ? HOSTILE : `Zero${i}` } : {})));
  const [grpcPort, healthPort] = [await freePort(), await freePort()];
  service = await lookupService.createApp(
    lookupService.loadConfig({ DATABASE_URL: h.db.url, GRPC_PORT: String(grpcPort), HEALTH_PORT: String(healthPort) }),
    silentLog(),
  );
  await service.start();
  const pool = await openDatabase({
    url: h.db.url,
    service: 'web-test',
    log: silentLog(),
    owner: { name: OWNER, migrationsDir: MIGRATIONS_DIR },
  });
  await pool.end();
  await createAdminAccount(h.pool, ADMIN);
  lookup = createLookupClient(`127.0.0.1:${grpcPort}`);
  const config = loadConfig({ DATABASE_URL: h.db.url, LOG_LEVEL: 'silent' });
  app = await buildServer({ pool: h.pool, config, log: silentLog(), keys, runs: runClient, lookup });
  session = await signIn(app);
}, 90_000);

afterAll(async () => {
  await app?.close();
  lookup?.close();
  keys.close();
  runClient.close();
  await service?.stop();
  await h?.close();
});

describe('user lookup page', () => {
  it('shows every section for a user found by mixed-case username with spaces', async () => {
    const res = await get(`/users/lookup?q=${encodeURIComponent('  U0 ')}`);
    expect(res.statusCode).toBe(200);
    for (const heading of ['Sync details', 'User details', 'Profile', 'Received data', 'History', 'Troubleshooting'])
      expect(res.body).toContain(`>${heading}</h2>`);
    expect(res.body).toContain('data-testid="lookup-username">u0</dd>');
    expect(res.body).toContain(`<a href="/runs/${runs[11]}">Run ${runs[11]}</a>`);
    expect(res.body).toContain('Staff <code>staff</code> <span class="muted">(sync)</span>');
    // The received record is pretty JSON, escaped.
    expect(res.body).toContain('&quot;ID&quot;: &quot;u0&quot;,\n');
    expect(res.body).not.toContain(HOSTILE);
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.body.match(/data-testid="history-entry"/g)).toHaveLength(10);
    expect(res.body).toContain('>Older changes</a>');
    expect(res.body).toContain('href="/users/u0/error-state">Set error state…</a>');
  });

  it('says "No user found for X" when nothing matches', async () => {
    const res = await get('/users/lookup?q=NOBODY@example.org');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('No user found for <strong>nobody@example.org</strong>');
  });

  it('lists several users who share an email', async () => {
    const res = await get('/users/lookup?q=shared%40EXAMPLE.org');
    expect(res.body).toContain('data-testid="lookup-matches"');
    expect(res.body).toContain('<a href="/users/lookup?q=u1">u1</a>');
    expect(res.body).toContain('<a href="/users/lookup?q=u2">u2</a>');
  });

  it('serves older history as an htmx fragment, and as a page without JavaScript', async () => {
    const page = await get('/users/lookup?q=u0');
    const next = /hx-get="(\/users\/u0\/history\?page=\d+)"/.exec(page.body)![1]!;
    const fragment = await get(next, { 'hx-request': 'true' });
    expect(fragment.statusCode).toBe(200);
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body.match(/data-testid="history-entry"/g)).toHaveLength(2);
    expect(fragment.body).toContain(`<strong>create</strong> by <a href="/runs/${runs[0]}">run ${runs[0]}</a>`);
    expect(fragment.body).not.toContain('Older changes</a>');
    const full = await get(next);
    expect(full.body).toContain('<html');
    expect(full.body).toContain('<strong>create</strong>');
  });
});

describe('Set error state', () => {
  it('asks for confirmation, refuses a POST without the CSRF token, then sets it with an audit entry', async () => {
    const confirm = await get('/users/u5/error-state');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Set user <strong>u5</strong> to error state?');
    const body = form({ _csrf: 'wrong' });
    const refused = await app.inject({
      method: 'POST',
      url: '/users/u5/error-state',
      cookies: session.cookies,
      ...body,
    });
    expect(refused.statusCode).toBe(403);
    expect((await lookup.lookupUser('u5'))[0]!.error).toBe(false);

    const ok = form({ _csrf: session.csrf });
    const res = await app.inject({ method: 'POST', url: '/users/U5/error-state', cookies: session.cookies, ...ok });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/users/lookup?q=u5&errorSet=1');
    const page = await get(res.headers.location as string);
    expect(page.body).toContain('data-testid="error-set-notice"');
    expect(page.body).toContain('User is in error state, and will not be skipped on the next sync.');
    expect(page.body).not.toContain('Set error state…</a>');
    const { rows } = await h.pool.query(
      `SELECT actor, target, detail FROM admin.audit WHERE action = 'user.error_state_set'`,
    );
    expect(rows).toEqual([
      {
        actor: expect.objectContaining({ kind: 'admin', displayName: ADMIN.displayName }),
        target: 'user:u5',
        detail: { alreadyInError: false },
      },
    ]);
    // The next run re-applies u5 although the record is unchanged.
    const next = await apply(records((n) => (n === 0 ? { FIRST: HOSTILE } : {})));
    expect(await logText(h.pool, next)).toContain('update u5');
  });

  it('answers 404 for an unknown user', async () => {
    const res = await get('/users/nobody/error-state');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('No user found for nobody');
  });
});
