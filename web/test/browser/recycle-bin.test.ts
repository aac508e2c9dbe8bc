/**
 * The recycle bin in headless Chromium (issue 18 item 2): the real apply worker blocks users who left the feed,
 * the real lookup-service and the web app run on free ports; an admin lists the bin (days left, what happens,
 * search, pages), restores a user through the confirm page (Cancel has the focus), sees the restore in lookup's
 * history and the audit log. Zero axe violations at 1280 and 390 pixels wide; screenshots go to
 * /tmp/usersync-recycle-*.png. (Configuration's recycle bin fields: web/test/integration/settings.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
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
import {
  axeViolations,
  launchBrowser,
  screenshotBoth,
  signInBrowser,
  VIEWPORTS,
  type Browser,
} from '../browser-support.js';

const ADMIN = { email: 'ada@example.org', password: 'correct horse battery' };
let h: Harness;
let lookup: ServiceApp;
let web: ServiceApp;
let base: string;
let browser: Browser;
let page: Page;

async function apply(records: object[]): Promise<void> {
  const runId = await createRunningRun(h, { _control: simpleControl, users: records });
  expect(await processRun({ pool: h.pool, objects: h.objects, log: h.log }, runId)).toBe('complete');
}

/** Zero axe violations at both widths. */
async function accessibleAtBothWidths(p: Page): Promise<void> {
  for (const v of VIEWPORTS) {
    await p.setViewportSize({ width: v.width, height: v.height });
    expect(await axeViolations(p), v.name).toEqual([]);
  }
  await p.setViewportSize({ width: 1280, height: 800 });
}

beforeAll(async () => {
  h = await createHarness();
  await setConfig(h.pool, {
    ...simpleConfig,
    maxBlockPercent: 100,
    maxBlockCount: null,
    recycleGraceDays: 30,
    recycleAfterGrace: 'anonymise',
  });
  await apply(people(40));
  // 30 users leave the feed: more than one page of 25.
  await apply(people(40).filter((_, n) => n < 10));
  await h.pool.query(`UPDATE directory."user" SET blocked_at = blocked_at - interval '12 days' WHERE username = 'u12'`);
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
  browser = await launchBrowser();
  page = browser.page;
  await signInBrowser(page, base, ADMIN);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await lookup?.stop();
  await h?.close();
});

describe('the recycle bin page', () => {
  it('lists blocked users soonest due first with days left and what happens, one page at a time', async () => {
    await page.getByRole('link', { name: 'Recycle bin' }).click();
    await page.waitForURL(`${base}/recycle-bin`);
    expect(await page.getByTestId('recycle-settings').innerText()).toContain(
      'for 30 days; after that the user is anonymised',
    );
    expect(await page.getByTestId('recycle-total').innerText()).toContain('30 users in the recycle bin');
    const rows = page.getByTestId('recycle-row');
    expect(await rows.count()).toBe(25);
    expect(await rows.first().getAttribute('data-username')).toBe('u12');
    expect(await rows.first().getByTestId('days-left').innerText()).toBe('18');
    expect(await rows.nth(1).getByTestId('days-left').innerText()).toBe('30');
    await accessibleAtBothWidths(page);
    await screenshotBoth(page, 'recycle-bin');
    await page.getByTestId('recycle-more').click();
    expect(await page.getByTestId('recycle-row').count()).toBe(5);
  });

  it('finds users by username prefix', async () => {
    await page.goto(`${base}/recycle-bin`);
    await page.getByLabel('Username starts with').fill('U3');
    await page.getByLabel('Username starts with').press('Enter');
    await page.waitForURL(/q=U3/);
    const names = await page
      .getByTestId('recycle-row')
      .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-username')));
    expect(names.sort()).toEqual(['u30', 'u31', 'u32', 'u33', 'u34', 'u35', 'u36', 'u37', 'u38', 'u39']);
  });

  it('restores a user through a confirm page whose focus is on Cancel', async () => {
    await page.goto(`${base}/recycle-bin?q=u15`);
    await page.getByTestId('restore-link').click();
    await page.waitForURL(`${base}/recycle-bin/u15/restore`);
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement
            .textContent,
      ),
    ).toBe('Cancel');
    expect(await page.getByTestId('restore-form').innerText()).toContain('the next run leaves them as they are');
    await accessibleAtBothWidths(page);
    await screenshotBoth(page, 'recycle-restore');
    await page.getByTestId('restore-confirm').click();
    await page.waitForURL(/\/recycle-bin\?restored=u15/);
    expect(await page.getByTestId('restored-notice').innerText()).toContain('u15 is restored');
    expect(await page.getByTestId('recycle-total').innerText()).toContain('29 users');
    await accessibleAtBothWidths(page);
    const user = await h.pool.query(`SELECT active, blocked_at FROM directory."user" WHERE username = 'u15'`);
    expect(user.rows[0]).toEqual({ active: true, blocked_at: null });
  });

  it('shows the recycle state in lookup, the restore in history and the audit log', async () => {
    await page.goto(`${base}/users/lookup?q=u16`);
    expect(await page.getByTestId('lookup-recycle').innerText()).toMatch(/30 days left, then anonymised/);
    await screenshotBoth(page, 'recycle-lookup');
    await page.goto(`${base}/users/lookup?q=u15`);
    expect(await page.getByTestId('history-reason').first().innerText()).toMatch(
      /^restored from the recycle bin by ada/,
    );
    await page.goto(`${base}/audit`);
    expect(await page.locator('body').innerText()).toContain('User restored from the recycle bin');
  });

  it('answers a restore of a user not in the bin with a clear 404', async () => {
    const res = await page.goto(`${base}/recycle-bin/u1/restore`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('main').innerText()).toContain('u1 is not in the recycle bin');
  });
});
