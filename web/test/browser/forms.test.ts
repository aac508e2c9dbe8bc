/**
 * Forms in headless Chromium (issue 17 item 3) against real PostgreSQL, nats-server, key-service and
 * the portal: the error summary takes the focus, the new key's page says "already shown" on reload and
 * creates nothing, and a form posted after the session expired comes back filled in after sign-in.
 * axe-core finds no violation on each page at 1280×800 and 390×844.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool, type ServiceApp } from '@usersync/platform';
import { createTestDatabase, freePort, startTestNats, type TestDatabase, type TestNats } from '@usersync/devstack';
import * as keyService from '@usersync/key-service';
import { createApp, loadConfig } from '../../src/index.js';
import { axeViolations, launchBrowser, type Browser } from '../browser-support.js';
import { NOWHERE, silentLog } from '../support.js';

const ADMIN = { email: 'forms@example.org', password: 'correct horse battery' };
let db: TestDatabase;
let nats: TestNats;
let keys: ServiceApp;
let web: ServiceApp;
let pool: pg.Pool;
let base: string;
let b: Browser;

/** axe at desktop and phone width: no violation of any impact. */
async function expectAccessible(): Promise<void> {
  expect(await axeViolations(b.page)).toEqual([]);
  await b.page.setViewportSize({ width: 390, height: 844 });
  expect(await axeViolations(b.page)).toEqual([]);
  await b.page.setViewportSize({ width: 1280, height: 800 });
}
const focusedClass = () => b.page.evaluate<string>("document.activeElement?.className ?? ''");
const focusedId = () => b.page.evaluate<string>("document.activeElement?.id ?? ''");

/**
 * After a refused POST: the answer page's error summary has focus. Waiting for the load state alone raced: it
 * can return for the page the form was on, before the navigation starts, and the browser applies `autofocus`
 * a frame after the load.
 */
async function expectSummaryFocused(): Promise<void> {
  await b.page.locator('.error-summary').waitFor();
  await expect.poll(focusedClass, { timeout: 5_000 }).toBe('error-summary');
}

async function signIn(): Promise<void> {
  await b.page.getByLabel('Email').fill(ADMIN.email);
  await b.page.getByLabel('Password').fill(ADMIN.password);
  await b.page.getByRole('button', { name: 'Sign in' }).click();
  // The load state alone could be the sign-in page's own, before the navigation starts.
  await b.page.waitForURL((url) => url.pathname !== '/login');
}

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
      LOOKUP_SERVICE_ADDR: NOWHERE,
      USERSYNC_ADMIN_EMAIL: ADMIN.email,
      USERSYNC_ADMIN_PASSWORD: ADMIN.password,
    }),
    silentLog(),
  );
  await web.start();
  pool = createPool(db.url);
  b = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await b?.close();
  await pool?.end();
  await web?.stop();
  await keys?.stop();
  await nats?.stop();
  await db?.drop();
});

describe('forms in Chromium', () => {
  it('focuses the error summary of the sign-in form, which links to the fields', async () => {
    await b.page.goto(`${base}/login`);
    await b.page.getByRole('button', { name: 'Sign in' }).click();
    await expectSummaryFocused();
    const links = await b.page.locator('.error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['#email', '#password']);
    await b.page.locator('.error-summary a[href="#password"]').click();
    expect(await focusedId()).toBe('password');
    await expectAccessible();
    await signIn();
    expect(new URL(b.page.url()).pathname).toBe('/');
  });

  it('reports every problem of the key form at once, focused, without losing what was typed', async () => {
    await b.page.goto(`${base}/api-keys/new`);
    expect(await focusedId()).toBe('name');
    await b.page.getByLabel('The key stops working').selectOption('date');
    await b.page.getByLabel('Expiry date (when you choose a date)').fill('2020-01-01');
    await b.page.getByRole('button', { name: 'Create API key' }).click();
    await expectSummaryFocused();
    expect(await b.page.locator('.error-summary li').allInnerTexts()).toEqual([
      'Give the key a name, for example "HR nightly export".',
      'The expiry date must be after today.',
    ]);
    expect(await b.page.getByLabel('Expiry date (when you choose a date)').inputValue()).toBe('2020-01-01');
    expect(await b.page.locator('#name').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible();
  });

  it('shows a new key once; reloading says it was shown and creates no second key', async () => {
    await b.page.goto(`${base}/api-keys/new`);
    await b.page.getByLabel('Name', { exact: true }).fill('Nightly HR');
    await b.page.getByLabel('The key stops working').selectOption('90');
    await b.page.getByRole('button', { name: 'Create API key' }).click();
    await b.page.waitForURL(/\/api-keys\/created\//);
    const secret = await b.page.getByTestId('api-key-secret').inputValue();
    expect(secret).toMatch(/^usk_/);
    await expectAccessible();
    await b.page.reload();
    await b.page.getByTestId('key-already-shown').waitFor();
    expect(await b.page.content()).not.toContain(secret);
    await expectAccessible();
    await b.page.goto(`${base}/api-keys`);
    expect(await b.page.getByTestId('key-name').allInnerTexts()).toEqual(['Nightly HR']);
    expect(await b.page.getByTestId('key-expiry').innerText()).toContain('in 90 days');
    await expectAccessible();
  });

  it('keeps what was typed when the session expired, and restores it after sign-in', async () => {
    await b.page.goto(`${base}/api-keys/new`);
    await b.page.getByLabel('Name', { exact: true }).fill('Payroll export');
    await b.page.getByLabel('The key stops working').selectOption('180');
    await pool.query('DELETE FROM admin.session');
    await b.page.getByRole('button', { name: 'Create API key' }).click();
    await b.page.waitForURL(`${base}/login?next=%2Fapi-keys%2Fnew`);
    expect(await b.page.getByTestId('session-expired-notice').innerText()).toContain('What you entered is kept');
    await expectAccessible();
    await signIn();
    expect(new URL(b.page.url()).pathname).toBe('/api-keys/new');
    await b.page.getByTestId('form-restored').waitFor();
    expect(await b.page.getByLabel('Name', { exact: true }).inputValue()).toBe('Payroll export');
    expect(await b.page.getByLabel('The key stops working').inputValue()).toBe('180');
    await expectAccessible();
    await b.page.getByRole('button', { name: 'Create API key' }).click();
    await b.page.waitForURL(/\/api-keys\/created\//);
    expect(b.cspViolations).toEqual([]);
  });

  it('offers audit filters and readable entries, accessible at both widths', async () => {
    await b.page.goto(`${base}/audit`);
    expect(await b.page.getByTestId('audit-table').innerText()).toContain('API key created');
    expect(await b.page.getByTestId('audit-table').innerText()).not.toContain('Signed in');
    await b.page.getByLabel('Include sign-ins and sign-outs').check();
    await b.page.getByRole('button', { name: 'Filter' }).click();
    await b.page.waitForURL(/signins=1/);
    expect(await b.page.getByTestId('audit-table').innerText()).toContain('Signed in');
    await expectAccessible();
  });
});
