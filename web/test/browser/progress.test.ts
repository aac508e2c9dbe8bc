/**
 * A running run's progress in headless Chromium at both widths: bytes of the total with percent, elapsed,
 * ETA and the time to the second, updating by itself (htmx polling under the portal's CSP); the "no
 * progress" warning when the worker stops moving; axe finds nothing of any impact in the progress region.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { freePort } from '@usersync/devstack';
import { writeRunProgress } from '@usersync/run-state';
import { VIEWPORTS, horizontalOverflow, launchBrowser, signInBrowser, type Browser } from '../browser-support.js';
import { ADMIN } from '../support.js';
import { readyRun, startRunsEnv, usersFile, type RunsEnv } from '../runs-env.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let env: RunsEnv;
let browser: Browser;
let base: string;
let runId: number;
const total = 40_000_000;

beforeAll(async () => {
  env = await startRunsEnv();
  runId = await readyRun(env, usersFile(3, 'pg'));
  await env.runsDb.query(`UPDATE runs.run SET status = 'running', started_at = now() WHERE id = $1`, [runId]);
  const port = await freePort();
  await env.portal.app.listen({ port, host: '127.0.0.1' });
  base = `http://127.0.0.1:${port}`;
  browser = await launchBrowser();
  await signInBrowser(browser.page, base, ADMIN);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

/** Every axe violation of any impact inside the progress region. */
async function progressViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(ctx: unknown): Promise<{ violations: Array<{ id: string; impact: string }> }> };
      }
    ).axe;
    const result = await axe.run('#run-progress');
    return result.violations.map((v) => `${v.id} (${v.impact})`);
  });
}

/** The worker's write: bytes read of the data files, the phase started `phaseAgo` seconds ago. */
async function progressAt(processed: number, phaseAgo: number) {
  const now = Date.now();
  await writeRunProgress(env.runsDb, runId, 'transform', processed, {
    unit: 'bytes',
    total,
    startedAt: new Date(now - (phaseAgo + 5) * 1000),
    phaseStartedAt: new Date(now - phaseAgo * 1000),
  });
}

describe('run progress in Chromium', () => {
  it('shows figures of the total that update by themselves, at both widths, with no axe violation', async () => {
    const { page } = browser;
    await progressAt(10_000_000, 20);
    await page.goto(`${base}/runs/${runId}`);
    const figures = page.getByTestId('progress-figures');
    expect(await figures.innerText()).toMatch(
      /^Reading the files: 9\.5 MiB of 38\.1 MiB \(25 %\) · elapsed 25 s · about \d min left · updated .*\d\d:\d\d:\d\d/,
    );
    expect(await page.locator('#run-progress progress').getAttribute('value')).toBe('25');

    // The worker moves on: the fragment polls (htmx, allowed by the CSP) and shows it without a reload.
    await progressAt(30_000_000, 40);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document
          .querySelector('[data-testid="progress-figures"]')
          ?.textContent.includes('(75 %)'),
      undefined,
      { timeout: 10_000 },
    );
    expect(await figures.innerText()).toContain('28.6 MiB of 38.1 MiB (75 %)');

    for (const vp of VIEWPORTS) {
      await page.setViewportSize({ width: vp.width, height: vp.height });
      expect(await figures.isVisible(), vp.name).toBe(true);
      expect(await progressViolations(page), vp.name).toEqual([]);
      expect(
        (await horizontalOverflow(page)).culprits.filter((c) => c.includes('progress')),
        vp.name,
      ).toEqual([]);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(browser.cspViolations).toEqual([]);
  });

  it('warns when no progress came for more than a minute while the run is running', async () => {
    const { page } = browser;
    await env.runsDb.query(
      `UPDATE runs.run_progress SET updated_at = now() - interval '95 seconds',
         heartbeat_at = now() - interval '95 seconds' WHERE run_id = $1`,
      [runId],
    );
    const warning = page.getByTestId('progress-stalled');
    await warning.waitFor({ timeout: 10_000 });
    expect(await warning.innerText()).toMatch(/^No progress for 9\d s — the worker may be stuck/);
    for (const vp of VIEWPORTS) {
      await page.setViewportSize({ width: vp.width, height: vp.height });
      expect(await progressViolations(page), vp.name).toEqual([]);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
