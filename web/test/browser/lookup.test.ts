/**
 * User lookup in headless Chromium: the real apply worker applies three runs, the real lookup-service
 * and the web app run on free ports, and an admin finds a user from the header box, opens older
 * history (htmx), and sets error state through the confirm step.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../browser-support.js';
import { freePort } from '@usersync/devstack';
import type { ServiceApp } from '@usersync/platform';
import * as lookupService from '@usersync/lookup-service';
import { processRun } from '../../../services/apply-worker/src/usecases/apply-run.js';
import {
  createHarness,
  createRunningRun,
  setConfig,
  type Harness,
} from '../../../services/apply-worker/test/support/harness.js';
import { people, simpleConfig, simpleControl } from '../../../services/apply-worker/test/support/simple-feed.js';
import { createApp, loadConfig } from '../../src/index.js';
import { NOWHERE, silentLog } from '../support.js';

const ADMIN = { email: 'ada@example.org', password: 'correct horse battery' };

let h: Harness;
let lookup: ServiceApp;
let web: ServiceApp;
let base: string;
let userDataDir: string;
let context: BrowserContext;
let page: Page;
const runs: number[] = [];
const cspViolations: string[] = [];

beforeAll(async () => {
  h = await createHarness();
  await setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 100, maxBlockCount: null });
  // Twelve runs, each renaming u0: its history fills the first page of ten and spills onto a second.
  for (let i = 0; i < 12; i++) {
    const runId = await createRunningRun(h, {
      _control: simpleControl,
      users: people(10, (n) => (n === 0 ? { FIRST: `Name${i}` } : {})),
    });
    expect(await processRun({ pool: h.pool, objects: h.objects, log: h.log }, runId)).toBe('complete');
    runs.push(runId);
  }
  const [grpcPort, healthPort, webPort] = [await freePort(), await freePort(), await freePort()];
  lookup = await lookupService.createApp(
    lookupService.loadConfig({ DATABASE_URL: h.db.url, GRPC_PORT: String(grpcPort), HEALTH_PORT: String(healthPort) }),
    silentLog(),
  );
  await lookup.start();
  base = `http://127.0.0.1:${webPort}`;
  web = await createApp(
    loadConfig({
      DATABASE_URL: h.db.url,
      HTTP_PORT: String(webPort),
      PUBLIC_URL: base,
      KEY_SERVICE_ADDR: NOWHERE,
      RUN_SERVICE_ADDR: NOWHERE,
      LOOKUP_SERVICE_ADDR: `127.0.0.1:${grpcPort}`,
      USERSYNC_ADMIN_EMAIL: ADMIN.email,
      USERSYNC_ADMIN_PASSWORD: ADMIN.password,
    }),
    silentLog(),
  );
  await web.start();
  userDataDir = await mkdtemp(join(tmpdir(), 'usersync-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  await web?.stop();
  await lookup?.stop();
  await h?.close();
});

describe('user lookup in Chromium', () => {
  it('finds a user after a sync from the header box', async () => {
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByLabel('Password').press('Enter');
    await page.waitForURL(`${base}/`);
    await page.locator('#header-lookup').fill('  U0 ');
    await page.locator('#header-lookup').press('Enter');
    await page.waitForURL(/\/users\/lookup\?q=/);
    expect(await page.getByTestId('lookup-username').innerText()).toBe('u0');
    expect(await page.getByTestId('user-details').innerText()).toContain(`Name${runs.length - 1} Last0`);
    expect(await page.getByTestId('received-data').innerText()).toContain('"ID": "u0"');
    await page.screenshot({ path: '/tmp/usersync-lookup.png', fullPage: true });
  });

  it('opens older history with htmx, in place', async () => {
    expect(await page.getByTestId('history-entry').count()).toBe(10);
    await page.getByRole('link', { name: 'Older changes' }).click();
    await page.getByText(`create by run ${runs[0]}`).waitFor();
    expect(await page.getByTestId('history-entry').count()).toBe(12);
    expect(new URL(page.url()).pathname).toBe('/users/lookup');
    expect(await page.getByTestId('history').innerText()).toContain('"Name10"');
  });

  it('sets error state after a confirm step, and the page then says the user is in error state', async () => {
    await page.getByRole('link', { name: 'Set error state…' }).click();
    await page.waitForURL(`${base}/users/u0/error-state`);
    expect(await page.getByTestId('error-state-form').innerText()).toContain('Set user u0 to error state?');
    await page.getByRole('button', { name: 'Set error state' }).click();
    await page.waitForURL(/\/users\/lookup\?q=u0&errorSet=1$/);
    expect(await page.getByTestId('lookup-error').innerText()).toBe('Yes');
    expect(await page.getByTestId('in-error-state').innerText()).toBe(
      'User is in error state, and will not be skipped on the next sync.',
    );
    const { rows } = await h.pool.query(`SELECT error FROM directory."user" WHERE username = 'u0'`);
    expect(rows[0].error).toBe(true);
    expect(cspViolations).toEqual([]);
  });
});
