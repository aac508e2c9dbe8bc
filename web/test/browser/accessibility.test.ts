/**
 * Every portal page in headless Chromium at 1280×800 and 390×844, with real peers and seeded data:
 * axe-core reports no violation of any impact, the page is never wider than the screen, and the CSP
 * is never violated. Then the keyboard-only Apply flow: Tab and Enter from the dashboard to the
 * held run, Apply…, the confirm page (focus on the safe choice), the run queued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getRun } from '@usersync/run-state';
import { ADMIN } from '../support.js';
import {
  axeAllViolations,
  horizontalOverflow,
  launchBrowser,
  signInBrowser,
  VIEWPORTS,
  type Browser,
} from '../browser-support.js';
import { startSeededPortal, type SeededPortal } from './seeded-portal.js';

let s: SeededPortal;
let browser: Browser;
let page: Page;
let keyId = '';

beforeAll(async () => {
  s = await startSeededPortal();
  browser = await launchBrowser();
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

/** Checks the page as it stands at both widths; returns what failed, per width. */
async function sweep(name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const v of VIEWPORTS) {
    await page.setViewportSize({ width: v.width, height: v.height });
    for (const violation of await axeAllViolations(page)) problems.push(`${name} @${v.name}: ${violation}`);
    const o = await horizontalOverflow(page);
    if (o.overflow > 0) problems.push(`${name} @${v.name}: ${o.overflow}px too wide (${o.culprits.join(', ')})`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  return problems;
}

async function visit(path: string, name = path): Promise<string[]> {
  const res = await page.goto(`${s.base}${path}`);
  expect(res?.status(), `${path} status`).toBeLessThan(500);
  return sweep(name);
}

describe('every portal page, both widths', () => {
  it('the sign-in page', async () => {
    expect(await visit('/login')).toEqual([]);
  });

  it('dashboard, runs list, run pages, confirms, log and plan', async () => {
    await signInBrowser(page, s.base, ADMIN);
    const problems = await sweep('dashboard');
    expect(await page.getByTestId('needs-held').count()).toBe(1);
    expect(await page.getByTestId('history-chart').count()).toBe(1);
    await page.getByRole('link', { name: 'Older runs' }).click();
    await page.waitForURL(/page=/);
    problems.push(...(await sweep('runs list, page 2')));
    for (const path of [
      `/runs/${s.heldRunId}`,
      `/runs/${s.heldRunId}/actions/apply`,
      `/runs/${s.heldRunId}/actions/cancel`,
      `/runs/${s.heldRunId}/log`,
      `/runs/${s.heldRunId}/plan`,
      `/runs/${s.appliedRunId}`,
      `/runs/${s.appliedRunId}/actions/reapply`,
      `/runs/${s.failedRunId}`,
      `/runs/${s.failedRunId}/actions/force-cancel`,
    ])
      problems.push(...(await visit(path)));
    expect(problems).toEqual([]);
  });

  it('uploads, control file, configuration', async () => {
    const problems: string[] = [];
    for (const path of ['/uploads', '/control-file', '/control-file/upload', '/config', '/sources'])
      problems.push(...(await visit(path)));
    expect(problems).toEqual([]);
  });

  it('API keys, a created key, revoke', async () => {
    const problems = await visit('/api-keys/new');
    await page.getByLabel('Name', { exact: true }).fill('Sweep key');
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('input.secret').count()).toBe(1);
    problems.push(...(await sweep('key created')));
    problems.push(...(await visit('/api-keys')));
    const revoke = page.locator('a[href$="/revoke"]').first();
    keyId = (await revoke.getAttribute('href'))!.split('/')[2]!;
    problems.push(...(await visit(`/api-keys/${keyId}/revoke`)));
    expect(problems).toEqual([]);
  });

  it('user lookup with a result, error state confirm, audit log, an error page', async () => {
    const problems = await visit(`/users/lookup?q=${s.username}`);
    expect(await page.getByTestId('user-details').count()).toBeGreaterThan(0);
    problems.push(...(await visit(`/users/${s.username}/error-state`)));
    problems.push(...(await visit('/audit')));
    await page.goto(`${s.base}/runs/${s.heldRunId}`);
    // A navigation from the page (not typed in the address bar) sends the same-origin Referer.
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = '/runs/999999';
    });
    await page.waitForURL(`${s.base}/runs/999999`);
    expect(await page.getByTestId('error-message').innerText()).toBeTruthy();
    // Came from the held run's page: the way back is that page.
    expect(await page.getByTestId('error-back').getAttribute('href')).toBe(`/runs/${s.heldRunId}`);
    problems.push(...(await sweep('error page')));
    expect(problems).toEqual([]);
    expect(browser.cspViolations).toEqual([]);
  });
});

describe('keyboard only', () => {
  /** Presses Tab until the focused element matches `accept`; fails after `max` presses. */
  async function tabTo(accept: (el: { tag: string; text: string; href: string }) => boolean, max = 60) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const el = await page.evaluate(() => {
        const a = (globalThis as unknown as { document: { activeElement: Record<string, unknown> | null } }).document
          .activeElement;
        return {
          tag: String(a?.tagName ?? '').toLowerCase(),
          text: String(a?.textContent ?? '').trim(),
          href: String(a?.getAttribute ? ((a.getAttribute as (n: string) => string | null)('href') ?? '') : ''),
        };
      });
      if (accept(el)) return el;
    }
    throw new Error('never reached the element with Tab');
  }

  it('applies the held run with Tab and Enter alone, the confirm page focusing the safe choice', async () => {
    await page.goto(`${s.base}/`);
    await tabTo((el) => el.href === `/runs/${s.heldRunId}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${s.base}/runs/${s.heldRunId}`);
    await tabTo((el) => el.href === `/runs/${s.heldRunId}/actions/apply`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${s.base}/runs/${s.heldRunId}/actions/apply`);
    const focused = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document
          .activeElement?.textContent,
    );
    expect(focused?.trim()).toBe('Back without changes');
    // Enter here would only go back; one Tab reaches Apply.
    const apply = await tabTo((el) => el.tag === 'button');
    expect(apply.text).toBe('Apply');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${s.base}/runs/${s.heldRunId}`);
    expect(await page.getByTestId('run-status').getAttribute('data-status')).toBe('running');
    expect((await getRun(s.env.runsDb, s.heldRunId)).status).toBe('running');
  });
});
