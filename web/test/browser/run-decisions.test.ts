/**
 * Deciding on a held run in headless Chromium (issue 16): the held run page says why and what the plan
 * does, the Apply confirm page shows the preview and offers the safe part with a reason, and the pages
 * pass axe-core's WCAG 2.1 AA checks at desktop and phone width (screenshots in /tmp).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getRun } from '@usersync/run-state';
import { ADMIN } from '../support.js';
import { holdWithPlan, readyRun, startRunsEnv, type RunsEnv } from '../runs-env.js';
import { axeViolations, openSignedIn, screenshotBoth, type Browser } from '../browser-support.js';

let env: RunsEnv;
let browser: Browser;
let page: Page;
let base: string;
let runId: number;

beforeAll(async () => {
  env = await startRunsEnv();
  runId = await readyRun(env);
  await holdWithPlan(env, runId, {
    created: ['new1', 'new2'],
    updated: ['moved1'],
    blocked: ['leaver1', 'leaver2'],
    unchanged: 40,
  });
  ({ base, browser, page } = await openSignedIn(env.portal.app, ADMIN));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('a held run in Chromium', () => {
  it('shows the held run with its reason and plan, accessible at both widths', async () => {
    await page.goto(`${base}/runs/${runId}`);
    expect(await page.getByTestId('run-status').innerText()).toBe('Held for an admin');
    expect(await page.getByTestId('hold-reason').innerText()).toContain(
      'would block more users than the configured limit',
    );
    expect(await page.getByTestId('plan-counts').innerText()).toContain('Block 2');
    expect(await axeViolations(page)).toEqual([]);
    await screenshotBoth(page, 'held-run');
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('applies the safe part from the confirm page, with the preview beside it', async () => {
    await page.getByRole('link', { name: 'Apply…' }).click();
    await page.waitForURL(`${base}/runs/${runId}/actions/apply`);
    expect(await page.getByTestId('confirm-preview').innerText()).toContain('leaver1');
    expect(await axeViolations(page)).toEqual([]);
    await screenshotBoth(page, 'apply-confirm');
    await page.getByLabel(/Only creates, updates and reactivations/).check();
    await page.getByLabel(/Leave these users out/).fill('new2');
    await page.getByLabel(/Reason \(recorded with your decision/).fill('leavers wait for HR');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(`${base}/runs/${runId}`);
    expect(await page.getByTestId('run-status').innerText()).toBe('Running');
    expect(await page.getByTestId('approved-scope').innerText()).toContain('1 user left out (new2)');
    expect((await getRun(env.runsDb, runId)).approvedScope).toMatchObject({ excludedUsernames: ['new2'] });
    expect(browser.cspViolations).toEqual([]);
  });
});
