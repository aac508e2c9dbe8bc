/**
 * The run pages in headless Chromium against a real ingest-gateway (PostgreSQL, NATS, S3,
 * key-service) and the portal on a free port: runs list, run page, file download with its digest,
 * cancel, configuration with a validation error, control file upload, applying a held run.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../browser-support.js';
import { freePort } from '@usersync/devstack';
import { getRun } from '@usersync/run-state';
import { ADMIN } from '../support.js';
import {
  cancelOpenRuns,
  controlFile,
  holdWithPlan,
  readyRun,
  startRunsEnv,
  usersFile,
  type RunsEnv,
} from '../runs-env.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

let env: RunsEnv;
let base: string;
let userDataDir: string;
let context: BrowserContext;
let page: Page;
const cspViolations: string[] = [];
let firstRun = 0;
let secondRun = 0;
const users = usersFile(20, 'br');

beforeAll(async () => {
  env = await startRunsEnv();
  firstRun = await readyRun(env, usersFile(4, 'old'));
  await cancelOpenRuns(env);
  secondRun = await readyRun(env, users);
  const port = await freePort();
  await env.portal.app.listen({ port, host: '127.0.0.1' });
  base = `http://127.0.0.1:${port}`;
  userDataDir = await mkdtemp(join(tmpdir(), 'usersync-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  await env?.stop();
});

describe('run pages in Chromium', () => {
  it('signs in and walks the runs list to a run', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByLabel('Password').press('Enter');
    await page.waitForURL(`${base}/`);
    const rows = page.getByTestId('runs-table').locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().getAttribute('data-run-id')).toBe(String(secondRun));
    await page.getByRole('link', { name: `View sync run ${firstRun}` }).click();
    await page.waitForURL(`${base}/runs/${firstRun}`);
    expect(await page.getByTestId('run-status').getAttribute('data-status')).toBe('cancelled');
    expect(await page.getByTestId('run-status').innerText()).toBe('Cancelled');
    await page.goBack();
    // Keyboard: the View… link of the newest run is reachable with Tab and opens with Enter.
    await page.getByRole('link', { name: `View sync run ${secondRun}` }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/runs/${secondRun}`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Sync run ${secondRun}`);
    await page.screenshot({ path: '/tmp/usersync-run-page.png', fullPage: true });
  });

  it('downloads a data file whose sha256 is the digest shown', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download users' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('users.json');
    const bytes = await readFile((await download.path())!);
    expect(sha256(bytes)).toBe(sha256(users));
    expect(await page.getByTestId('run-files').innerText()).toContain(sha256(bytes));
  });

  it('cancels the run through the confirm step', async () => {
    await page.getByRole('link', { name: 'Cancel…' }).click();
    await page.waitForURL(`${base}/runs/${secondRun}/actions/cancel`);
    expect(await page.getByTestId('confirm-effect').innerText()).toContain(`Marks sync run ${secondRun} cancelled`);
    await page.getByLabel('Reason (optional, recorded on the run)').fill('browser test');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(`${base}/runs/${secondRun}`);
    expect(await page.getByTestId('run-status').innerText()).toBe('Cancelled');
    // Who cancelled it, and why: not "Applied by: Automatic apply".
    expect(await page.getByTestId('run-cancelled').innerText()).toContain(`by ${ADMIN.displayName}: browser test`);
    expect(await page.getByTestId('run-details').innerText()).not.toContain('Applied');
    expect((await getRun(env.runsDb, secondRun)).status).toBe('cancelled');
  });

  it('edits the configuration, showing a validation error next to the field first', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Edit configuration…' }).click();
    await page.waitForURL(`${base}/config`);
    await page.getByLabel('Emails to receive sync reports').fill('ops@example.org, nope');
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await page.getByTestId('error-reportEmails').waitFor();
    expect(await page.getByTestId('error-reportEmails').innerText()).toContain('nope');
    expect(await page.getByLabel('Emails to receive sync reports').inputValue()).toBe('ops@example.org, nope');
    await page.getByLabel('Emails to receive sync reports').fill('ops@example.org');
    await page.getByLabel('Automatically apply uploaded sync files').uncheck();
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await page.getByTestId('config-saved').waitFor();
    await page.goto(`${base}/`);
    expect(await page.getByTestId('runs-section').isVisible()).toBe(true);
    expect(await page.locator('.facts').first().innerText()).toContain('ops@example.org');
  });

  it('uploads a control file with a reason', async () => {
    await page.goto(`${base}/control-file/upload`);
    await page.getByLabel('Reason for a change (required)').fill('Add the students feed');
    await page.getByLabel('Control file (JSON)').setInputFiles({
      name: 'control.json',
      mimeType: 'application/json',
      buffer: Buffer.from(controlFile(['users', 'students'])),
    });
    await page.getByRole('button', { name: 'Upload control file' }).click();
    await page.waitForURL(`${base}/control-file?uploaded=1`);
    expect(await page.getByTestId('expected-files').innerText()).toContain('students');
    expect(await page.getByTestId('control-file-history').innerText()).toContain('Add the students feed');
    await cancelOpenRuns(env);
  });

  it('applies a held run through the confirm step that says what will happen', async () => {
    // Back to one data file, then a held run with a stored plan, as the apply-worker leaves it.
    await page.goto(`${base}/control-file/upload`);
    await page.getByLabel('Reason for a change (required)').fill('Back to users only');
    await page.getByLabel('Control file (JSON)').setInputFiles({
      name: 'control.json',
      mimeType: 'application/json',
      buffer: Buffer.from(controlFile(['users'])),
    });
    await page.getByRole('button', { name: 'Upload control file' }).click();
    await page.waitForURL(`${base}/control-file?uploaded=1`);
    await cancelOpenRuns(env);
    const id = await readyRun(env);
    await holdWithPlan(env, id, {
      created: ['a1', 'a2'],
      updated: ['b1'],
      blocked: ['c1', 'c2', 'c3'],
      unchanged: 1204,
    });
    await page.goto(`${base}/runs/${id}`);
    expect(await page.getByTestId('plan-counts').innerText()).toContain('Block 3');
    await page.getByLabel('Action').selectOption('block');
    // htmx swaps the plan in place: wait for the filtered fragment, then for it to settle.
    await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/runs/${id}/plan?action=block`)),
      page.getByRole('button', { name: 'Show changes' }).click(),
    ]);
    await page.locator('#run-plan tbody th', { hasText: 'a1' }).waitFor({ state: 'detached' });
    expect(await page.locator('#run-plan tbody').innerText()).not.toContain('a1');
    await page.getByRole('link', { name: 'Apply…' }).click();
    await page.waitForURL(`${base}/runs/${id}/actions/apply`);
    expect(await page.getByTestId('confirm-effect').innerText()).toContain(
      'It creates 2, updates 1, reactivates 0, blocks 3 users',
    );
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(`${base}/runs/${id}`);
    expect(await page.getByTestId('run-status').innerText()).toBe('Running');
    expect(await page.getByTestId('run-progress').innerText()).toContain('waiting for the apply worker');
    expect((await getRun(env.runsDb, id)).approvedBy?.displayName).toBe(ADMIN.displayName);
    // The worker finishes it: the polling fragment reloads the page, which then stops polling.
    await env.runsDb.query(`UPDATE runs.run SET status = 'complete', finished_at = now() WHERE id = $1`, [id]);
    await page.getByTestId('run-status').filter({ hasText: 'Complete' }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('run-progress').count()).toBe(0);
    expect(cspViolations).toEqual([]);
  });
});
