/**
 * The guards over time in the configuration form, in headless Chromium (issue 18): the "Limits over time"
 * fields are on the Configuration page, a bad value is named in the error summary and beside its field, a good
 * one is saved through RunService and shown again; a run held by the 24-hour window says so on its page. axe
 * finds no WCAG 2.1 AA violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadSyncConfig, transitionRun } from '@usersync/run-state';
import { ADMIN } from '../support.js';
import { readyRun, startRunsEnv, type RunsEnv } from '../runs-env.js';
import { axeViolations, openSignedIn, type Browser } from '../browser-support.js';

let env: RunsEnv;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  env = await startRunsEnv();
  ({ base, browser, page } = await openSignedIn(env.portal.app, ADMIN));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('limits over time', () => {
  it('are edited on the Configuration page, checked field by field, and saved', async () => {
    await page.goto(`${base}/config`);
    const day = page.getByLabel(/Hold when blocks in the last 24 hours, this run included/);
    await day.fill('150');
    await page.getByLabel(/Hold when blocks in the last 7 days would pass this percentage/).fill('120');
    await page.getByLabel(/remove more than this many members from any one group/).fill('25');
    await page.getByRole('button', { name: /Save/ }).click();
    await page.waitForLoadState();
    const summary = await page.locator('.error-summary').innerText();
    expect(summary).toContain('Maximum block percentage in 7 days must be between 0 and 100');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel(/Hold when blocks in the last 7 days would pass this percentage/).fill('15');
    // Waited for as a navigation: the load state alone could be the refused page's own, summary and all.
    const answered = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
    await page.getByRole('button', { name: /Save/ }).click();
    await answered;
    await page.waitForLoadState();
    expect(await page.locator('.error-summary').count()).toBe(0);
    const stored = (await loadSyncConfig(env.runsDb)).config;
    expect(stored).toMatchObject({
      maxBlocksDay: 150,
      maxBlockPercentWeek: 15,
      maxGroupRemovals: 25,
      maxBlocksWeek: null,
    });
    await page.goto(`${base}/config`);
    expect(await day.inputValue()).toBe('150');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('a run held by the 24-hour window says which window and the numbers', async () => {
    const id = await readyRun(env);
    const detail =
      'would block 5 users; with 10 blocked in the last 24 hours that is 15 (16.7% of 90 in the feed; limit 12 in 24 hours)';
    await transitionRun(env.runsDb, id, 'hold', { holdReason: 'block_window', holdDetail: detail, planDigest: 'x' });
    await page.goto(`${base}/runs/${id}`);
    expect(await page.getByTestId('hold-reason').innerText()).toContain('blocks already applied recently');
    expect(await page.getByTestId('run-details').innerText()).toContain(detail);
    expect(browser.cspViolations).toEqual([]);
  });
});
