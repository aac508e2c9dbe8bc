/**
 * The Sources page, the runs list filtered by source, a SCIM run's page and a SCIM user's page in headless
 * Chromium at 1280×800 and 390×844, over the seeded portal with the SCIM source seeded through the real path
 * (a scim key, SCIM requests at the gateway, the batcher's run applied by the real apply worker): axe-core
 * reports no violation of any impact, no page is wider than the screen, the CSP holds. Screenshots go to
 * /tmp/usersync-sources-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN } from '../support.js';
import {
  axeAllViolations,
  horizontalOverflow,
  launchBrowser,
  screenshotBoth,
  signInBrowser,
  VIEWPORTS,
  type Browser,
} from '../browser-support.js';
import { SCIM_CONTROL_FILE } from '../../../services/ingest-gateway/src/domain/scim-snapshot.js';
import { seedScimSource, type ScimSeed } from '../sources-env.js';
import { startSeededPortal, type SeededPortal } from './seeded-portal.js';

let s: SeededPortal;
let seed: ScimSeed;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  s = await startSeededPortal();
  seed = await seedScimSource(s.env);
  browser = await launchBrowser();
  page = browser.page;
  await signInBrowser(page, s.base, ADMIN);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

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

describe('sources in the browser', () => {
  it('the Sources page: SCIM beside the file feed, reached from the header', async () => {
    await page.goto(`${s.base}/`);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Sources' }).click();
    await page.waitForURL(`${s.base}/sources`);
    expect(await page.getByTestId('scim-endpoint').innerText()).toBe('http://localhost:8081/scim/v2');
    expect(await page.getByTestId('last-request').innerText()).toContain('GET /scim/v2/Users');
    expect(await page.getByTestId('last-request').innerText()).toContain('Entra ID provisioning');
    expect(await page.getByTestId('last-failed-request').innerText()).toContain('401');
    expect(await page.getByTestId('scim-runs').locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('file-runs').locator('tbody tr').count()).toBe(5);
    await page.getByText('Connecting Entra ID or Okta').click();
    const problems = await sweep('sources');
    await screenshotBoth(page, 'sources');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('file-runs').screenshot({ path: '/tmp/usersync-sources-file-runs-phone.png' });
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(problems).toEqual([]);
  }, 120_000);

  it('the create-key link opens the key form for a provisioning client', async () => {
    await page.getByTestId('create-scim-key').click();
    await page.waitForURL(`${s.base}/api-keys/new?purpose=scim`);
    expect(await page.getByLabel('What the key is for').inputValue()).toBe('scim');
  });

  it("the SCIM source's control file: built-in until one is uploaded, then its own", async () => {
    await page.goto(`${s.base}/sources`);
    await page.getByTestId('scim-control-file').click();
    await page.waitForURL(`${s.base}/control-file?source=scim`);
    expect(await page.getByTestId('scim-built-in').innerText()).toContain('built-in mapping');
    const problems = await sweep('SCIM control file (built-in)');
    await screenshotBoth(page, 'sources-scim-built-in');
    await page.getByTestId('upload-control-file').click();
    await page.waitForURL(`${s.base}/control-file/upload?source=scim`);
    await page.getByLabel('Reason for a change (required)').fill('Map employee numbers');
    await page.getByLabel('Control file (JSON)').setInputFiles({
      name: 'scim.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(SCIM_CONTROL_FILE, null, 2)),
    });
    await page.getByRole('button', { name: 'Upload control file' }).click();
    await page.waitForURL(`${s.base}/control-file?source=scim&uploaded=1`);
    expect(await page.getByTestId('control-file-history').innerText()).toContain('Map employee numbers');
    problems.push(...(await sweep('SCIM control file')));
    await screenshotBoth(page, 'sources-scim-control-file');
    await page.getByTestId('control-file-source').getByRole('link', { name: 'File feed' }).click();
    await page.waitForURL(`${s.base}/control-file`);
    expect(await page.getByTestId('control-file-history').innerText()).not.toContain('Map employee numbers');
    expect(problems).toEqual([]);
  }, 120_000);

  it('the runs list by source, a SCIM run, a SCIM user', async () => {
    await page.goto(`${s.base}/`);
    await page.getByTestId('run-source-filter').getByRole('link', { name: 'SCIM' }).click();
    await page.waitForURL(`${s.base}/?source=scim`);
    const sources = await page
      .getByTestId('runs-table')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { source: string } }).dataset.source));
    expect(sources.length).toBeGreaterThanOrEqual(1);
    expect(new Set(sources)).toEqual(new Set(['scim']));
    const problems = await sweep('runs of the SCIM source');
    await screenshotBoth(page, 'sources-runs');

    await page.goto(`${s.base}/runs/${seed.runId}`);
    expect(await page.getByTestId('run-source').innerText()).toContain('SCIM');
    expect(await page.getByTestId('scim-snapshot-note').count()).toBe(1);
    problems.push(...(await sweep('SCIM run')));
    await screenshotBoth(page, 'sources-run');

    await page.goto(`${s.base}/users/lookup?q=${encodeURIComponent(seed.username)}`);
    expect(await page.getByTestId('lookup-source').innerText()).toContain('Provisioned by SCIM');
    problems.push(...(await sweep('SCIM user')));
    await screenshotBoth(page, 'sources-user');
    expect(problems).toEqual([]);
    expect(browser.cspViolations).toEqual([]);
  }, 180_000);
});
