/**
 * Alarms on the dashboard in headless Chromium (issue 18): the Alarms card loads through htmx and shows each
 * active alarm notify-worker raised (schema notify, migrated here as notify-worker would) with its run link,
 * and says so when there is none. axe finds no WCAG 2.1 AA violation.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createLogger, runMigrations } from '@usersync/platform';
import { raiseAlarm } from '@usersync/notify-state';
import { ADMIN } from '../support.js';
import { startRunsEnv, type RunsEnv } from '../runs-env.js';
import { axeViolations, openSignedIn, type Browser } from '../browser-support.js';

let env: RunsEnv;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  env = await startRunsEnv();
  const notifyMigrations = fileURLToPath(new URL('../../../services/notify-worker/migrations', import.meta.url));
  await runMigrations(env.portal.pool, {
    owner: 'notify',
    dir: notifyMigrations,
    log: createLogger({ service: 'alarms-test', level: 'silent' }),
  });
  ({ base, browser, page } = await openSignedIn(env.portal.app, ADMIN));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('alarms on the dashboard', () => {
  it('says all is well when no alarm is active', async () => {
    await page.goto(`${base}/`);
    expect(await page.getByTestId('alarms-clear').innerText()).toContain('No alarm');
  });

  it('shows every active alarm, the mismatch first-class with its run', async () => {
    const at = new Date();
    await raiseAlarm(env.portal.pool, {
      key: 'count_mismatch:42',
      kind: 'count_mismatch',
      runId: 42,
      detail: 'Run 42 reported counts that do not match what it applied: created: reported 35, in the applied plan 0',
      at,
    });
    await raiseAlarm(env.portal.pool, {
      key: `no_upload:${at.toISOString()}`,
      kind: 'no_upload',
      runId: null,
      detail: 'No file has been uploaded for 30 hours (since 2026-12-02T08:00:00.000Z; limit 24 hours)',
      at,
    });
    await page.goto(`${base}/`);
    const mismatch = await page.getByTestId('alarm-count_mismatch').innerText();
    expect(mismatch).toContain('Counts do not match: Run 42 reported counts');
    expect(mismatch).toContain('reported 35, in the applied plan 0');
    expect(await page.getByTestId('alarm-no_upload').innerText()).toContain(
      'No upload: No file has been uploaded for 30 hours',
    );
    expect(await page.getByRole('link', { name: 'Sync run 42' }).getAttribute('href')).toBe('/runs/42');
    expect(await axeViolations(page)).toEqual([]);
    expect(browser.cspViolations).toEqual([]);
  });
});
