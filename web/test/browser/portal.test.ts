/**
 * The portal in headless Chromium against real servers: PostgreSQL, nats-server, the real
 * key-service and the web app, each on a free port. Covers issue 3's browser checks.
 * page.evaluate gets strings where the code uses DOM globals: tests compile without lib "dom".
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../browser-support.js';
import type pg from 'pg';
import { keysV1 } from '@usersync/contracts';
import { createGrpcClient, createPool, unary, type ServiceApp } from '@usersync/platform';
import { createTestDatabase, freePort, startTestNats, type TestDatabase, type TestNats } from '@usersync/devstack';
import * as keyService from '@usersync/key-service';
import { createApp, loadConfig } from '../../src/index.js';
import { NOWHERE, silentLog } from '../support.js';

const ADMIN = { email: 'ada@example.org', password: 'correct horse battery', name: 'ada' };
const HOSTILE_NAME = '<script>alert(1)</script>';

let db: TestDatabase;
let nats: TestNats;
let keys: ServiceApp;
let web: ServiceApp;
let pool: pg.Pool;
let base: string;
let verifier: keysV1.KeyServiceClient;
let userDataDir: string;
let context: BrowserContext;
let page: Page;
const cspViolations: string[] = [];
const dialogs: string[] = [];
let secret = '';

const verify = (s: string) =>
  unary<keysV1.KeyServiceClient, 'verifyKey'>(verifier, 'verifyKey', { secret: s, requiredScope: 'sync:upload' });

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await startTestNats();
  const [grpcPort, healthPort, webPort] = [await freePort(), await freePort(), await freePort()];
  keys = await keyService.createApp(
    keyService.loadConfig({
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      GRPC_PORT: String(grpcPort),
      HEALTH_PORT: String(healthPort),
    }),
    silentLog(),
  );
  await keys.start();
  base = `http://127.0.0.1:${webPort}`;
  web = await createApp(
    loadConfig({
      DATABASE_URL: db.url,
      HTTP_PORT: String(webPort),
      PUBLIC_URL: base,
      KEY_SERVICE_ADDR: `127.0.0.1:${grpcPort}`,
      RUN_SERVICE_ADDR: NOWHERE,
      USERSYNC_ADMIN_EMAIL: ADMIN.email,
      USERSYNC_ADMIN_PASSWORD: ADMIN.password,
    }),
    silentLog(),
  );
  await web.start();
  pool = createPool(db.url);
  verifier = createGrpcClient(keysV1.KeyServiceClient, `127.0.0.1:${grpcPort}`);

  userDataDir = await mkdtemp(join(tmpdir(), 'usersync-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
}, 90_000);

afterAll(async () => {
  await context?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  verifier?.close();
  await pool?.end();
  await web?.stop();
  await keys?.stop();
  await nats?.stop();
  await db?.drop();
});

describe('admin portal in Chromium', () => {
  it('signs in with the seeded admin and shows the dashboard', async () => {
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByLabel('Password').press('Enter');
    await page.waitForURL(`${base}/`);
    expect(await page.getByTestId('breadcrumb').innerText()).toBe(`${ADMIN.name} » User sync administration`);
    for (const section of ['User lookup', 'Sync runs', 'Configuration', 'API keys'])
      await expect(page.getByRole('heading', { level: 2, name: section }).isVisible()).resolves.toBe(true);
    expect(await page.evaluate('typeof window.htmx')).toBe('object');
    await page.screenshot({ path: '/tmp/usersync-dashboard.png' });
  });

  it('reaches Create API key… with the keyboard alone and creates a key with a hostile name', async () => {
    await page.goto(`${base}/api-keys`);
    let focused = '';
    for (let i = 0; i < 30 && focused !== 'create-key'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate<string>("document.activeElement?.id ?? ''");
    }
    expect(focused).toBe('create-key');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/api-keys/new`);
    expect(await page.locator('.advice').innerText()).toContain('Store it in a secrets manager');
    // The name field has focus on arrival; type and submit with the keyboard.
    expect(await page.evaluate('document.activeElement?.id')).toBe('name');
    await page.keyboard.type(HOSTILE_NAME);
    // The POST redirects to the page that shows the secret once (issue 17: a reload creates no second key).
    const [created] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${base}/api-keys/created/`) && r.request().method() === 'GET'),
      page.keyboard.press('Enter'),
    ]);
    expect(created.status()).toBe(200);
    expect(created.headers()['cache-control']).toContain('no-store');
    await page.waitForLoadState();
    expect(await page.locator('#secret-heading').innerText()).toBe(`Copy the key for “${HOSTILE_NAME}” now`);
    secret = await page.getByTestId('api-key-secret').inputValue();
    expect(secret.length).toBeGreaterThan(40);
    expect(new URL(page.url()).search).toBe('');
  });

  it('copies the key to the clipboard, and VerifyKey accepts the copied key', async () => {
    await page.locator('#copy-key').focus();
    await page.keyboard.press('Enter');
    await page.getByText('Copied to the clipboard.').waitFor();
    const copied = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(copied).toBe(secret);
    const res = await verify(copied);
    expect(res.valid).toBe(true);
    expect(res.name).toBe(HOSTILE_NAME);
  });

  it('never shows the key again: not in the list, not after reload, not in any stored row', async () => {
    await page.getByRole('link', { name: "I've stored the key securely" }).press('Enter');
    await page.waitForURL(`${base}/api-keys`);
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByTestId('key-name').first().innerText()).toBe(HOSTILE_NAME);
    await page.reload();
    expect(await page.content()).not.toContain(secret);
    const html = await (await context.request.get(`${base}/api-keys`)).text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain(secret);
    // Every row of schemas keys and admin (audit included), as text: the secret is nowhere.
    const { rows } = await pool.query<{ t: string }>(
      `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('keys', 'admin')`,
    );
    for (const { t } of rows) {
      const dump = await pool.query<{ j: string }>(`SELECT row_to_json(x)::text AS j FROM ${t} x`);
      for (const r of dump.rows) expect(r.j, t).not.toContain(secret);
    }
  });

  it('renders the hostile name as text, never as markup', async () => {
    expect(dialogs).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it('revokes the key after a confirm step, and VerifyKey refuses it at once', async () => {
    await page.getByRole('link', { name: `Revoke… ${HOSTILE_NAME}` }).click();
    await page.waitForURL(/\/api-keys\/[0-9a-f-]+\/revoke$/);
    expect(await page.getByTestId('revoke-form').innerText()).toContain(HOSTILE_NAME);
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await page.waitForURL(/\/api-keys\?revoked=/);
    const res = await verify(secret);
    expect(res.valid).toBe(false);
    expect(res.reason).toBe(keysV1.InvalidReason.INVALID_REASON_REVOKED);
    expect(await page.getByTestId('revoked-notice').innerText()).toContain(HOSTILE_NAME);
  });

  it('refuses a POST without the CSRF token with 403', async () => {
    const status = await page.evaluate(async () => {
      const res = await fetch('/api-keys', { method: 'POST', body: new URLSearchParams({ name: 'forged' }) });
      return res.status;
    });
    expect(status).toBe(403);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM admin.audit WHERE detail->>'name' = 'forged'`);
    expect(rows[0].n).toBe(0);
  });

  it('records every action in the audit log page', async () => {
    await page.goto(`${base}/audit?signins=1`);
    const text = await page.getByTestId('audit-table').innerText();
    for (const action of ['First admin created', 'Signed in', 'API key created', 'API key revoked'])
      expect(text).toContain(action);
  });

  it('signs out, then rate-limits repeated wrong passwords with 429', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/login`);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(`wrong password ${i}`);
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${base}/login` && r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      statuses.push(res.status());
      await page.waitForLoadState();
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(await page.getByTestId('login-error').innerText()).toBe(
      'Too many failed sign-in attempts for this account. Wait 15 minutes and try again.',
    );
  });
});
