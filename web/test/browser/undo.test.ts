/**
 * Undo a run in headless Chromium (issue 18): a complete run offers Undo…, the confirm page says what the undo
 * does and opens a held undo run, whose preview shows what it deletes, restores and leaves alone; ticking a
 * user left alone plans it again with that user; the undo is applied through the run's own Apply page. The
 * worker's planning is stood in for by its run-state writes (the plan, who is left alone, the hold). Pages pass
 * axe-core's WCAG 2.1 AA checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { freePort } from '@usersync/devstack';
import { getRun, replaceRunPlanFrom, storeUndoSkipped, transitionRun } from '@usersync/run-state';
import { ADMIN } from '../support.js';
import { readyRun, startRunsEnv, type RunsEnv } from '../runs-env.js';
import { axeViolations, launchBrowser, screenshotBoth, type Browser } from '../browser-support.js';

let env: RunsEnv;
let browser: Browser;
let page: Page;
let base: string;
let runId: number;

/** What the apply-worker writes when it plans an undo run. */
async function planUndo(undoRunId: number, skipped: Array<{ username: string; laterRunId: number }>) {
  const rows = [
    { username: 'new1', action: 'delete', changes: [{ field: 'email', before: 'new1@example.org', after: null }] },
    { username: 'moved1', action: 'update', changes: [{ field: 'nameLast', before: 'New', after: 'Old' }] },
    { username: 'leaver1', action: 'reactivate', changes: [{ field: 'active', before: false, after: true }] },
  ];
  await replaceRunPlanFrom(
    env.runsDb,
    undoRunId,
    `SELECT r->>'username' AS username, r->>'action' AS action, r->'changes' AS changes
     FROM jsonb_array_elements($2::jsonb) AS r`,
    [JSON.stringify(rows)],
  );
  await storeUndoSkipped(env.runsDb, undoRunId, { count: skipped.length, users: skipped });
  await transitionRun(env.runsDb, undoRunId, 'hold', {
    holdReason: 'undo',
    holdDetail: `restores what run ${runId} changed`,
    planDigest: `undo-plan-${undoRunId}`,
    planCounts: { created: 0, updated: 1, reactivated: 1, blocked: 0, unchanged: 0, deleted: 1 } as object,
  });
}

beforeAll(async () => {
  env = await startRunsEnv();
  runId = await readyRun(env);
  await env.runsDb.query(
    `UPDATE runs.run SET status = 'complete', started_at = now(), finished_at = now(),
       counts = '{"created": 1, "updated": 1, "reactivated": 0, "blocked": 1, "unchanged": 3}' WHERE id = $1`,
    [runId],
  );
  const port = await freePort();
  await env.portal.app.listen({ port, host: '127.0.0.1' });
  base = `http://127.0.0.1:${port}`;
  browser = await launchBrowser();
  page = browser.page;
  await page.goto(`${base}/`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL(`${base}/`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('undo a run in Chromium', () => {
  let undoId: number;

  it('offers Undo… on a complete run and says what the undo does before anything changes', async () => {
    await page.goto(`${base}/runs/${runId}`);
    await page.getByTestId('undo-link').click();
    await page.waitForURL(`${base}/runs/${runId}/undo`);
    const effect = await page.getByTestId('undo-effect').innerText();
    expect(effect).toContain('deletes the 1 users the run created');
    expect(effect).toContain('reactivates the 1 users it blocked');
    expect(await axeViolations(page)).toEqual([]);
    await screenshotBoth(page, 'undo-confirm');
    await page.getByLabel(/Reason/).fill('the filter edit dropped a department');
    await page.getByTestId('undo-submit').click();
    await page.waitForURL(/\/runs\/\d+\/undo-preview$/);
    undoId = Number(/\/runs\/(\d+)\//.exec(page.url())![1]);
    expect(undoId).toBeGreaterThan(runId);
    expect(await page.getByTestId('undo-planning').innerText()).toContain('being planned');
    const run = await getRun(env.runsDb, undoId);
    expect(run).toMatchObject({ status: 'held', holdReason: 'undo', undoOf: runId });
  });

  it('previews what the undo deletes, restores and leaves alone; ticking a user plans it again with them', async () => {
    await planUndo(undoId, [{ username: 'later1', laterRunId: runId + 100 }]);
    await page.goto(`${base}/runs/${undoId}/undo-preview`);
    const counts = await page.getByTestId('undo-counts').innerText();
    expect(counts).toContain('Delete 1');
    expect(counts).toContain('Reactivate 1');
    expect(await page.getByTestId('undo-plan').innerText()).toContain('Delete');
    expect(await page.getByTestId('undo-skipped').innerText()).toContain('later1');
    expect(await axeViolations(page)).toEqual([]);
    await screenshotBoth(page, 'undo-preview');
    await page.getByLabel('Include later1').check();
    await page.getByTestId('include-submit').click();
    await page.waitForURL(/\/runs\/\d+\/undo-preview$/);
    const again = Number(/\/runs\/(\d+)\//.exec(page.url())![1]);
    expect(again).toBeGreaterThan(undoId);
    expect((await getRun(env.runsDb, undoId)).status).toBe('cancelled');
    expect((await getRun(env.runsDb, again)).undoInclude).toEqual(['later1']);
    expect(await page.getByTestId('undo-included').innerText()).toContain('later1');
    undoId = again;
  });

  it('applies the undo through the run page’s Apply, with the plan beside it', async () => {
    await planUndo(undoId, []);
    await page.goto(`${base}/runs/${undoId}/undo-preview`);
    await page.getByRole('link', { name: 'Apply the undo…' }).click();
    await page.waitForURL(`${base}/runs/${undoId}/actions/apply`);
    expect(await page.getByTestId('confirm-preview').innerText()).toContain('new1');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(`${base}/runs/${undoId}`);
    expect(await page.getByTestId('run-status').innerText()).toBe('Running');
    expect(await page.getByTestId('undo-of').innerText()).toContain(`sync run ${runId}`);
    expect((await getRun(env.runsDb, undoId)).approvedBy).toMatchObject({ displayName: expect.any(String) });
    expect(browser.cspViolations).toEqual([]);
  });
});
