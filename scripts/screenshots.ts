/**
 * The README's screenshots of the portal: starts the seeded portal of the browser tests (real
 * ingest-gateway, key-service, lookup-service, a month of runs, one held run), signs in in headless
 * Chromium and writes docs/screenshots/*.png. Run with `npm run screenshots` (needs PostgreSQL,
 * nats-server and /usr/bin/chromium, as the browser tests do).
 *
 *   node --conditions=source --import tsx scripts/screenshots.ts [--out docs/screenshots]
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { setup, teardown } from '../test/setup/global-setup.js';
import { ADMIN } from '../web/test/support.js';
import { horizontalOverflow, launchBrowser, signInBrowser } from '../web/test/browser-support.js';
import { startSeededPortal } from '../web/test/browser/seeded-portal.js';

const outArg = process.argv.indexOf('--out');
const OUT = outArg > 0 ? process.argv[outArg + 1]! : join(process.cwd(), 'docs', 'screenshots');

/** What to shoot: a name, a path, a viewport, and whether to capture the full page length. */
interface Shot {
  name: string;
  path: (ids: { held: number }) => string;
  width: number;
  height: number;
  fullPage: boolean;
}

const SHOTS: Shot[] = [
  { name: 'dashboard-desktop', path: () => '/', width: 1280, height: 800, fullPage: true },
  { name: 'held-run-desktop', path: (i) => `/runs/${i.held}`, width: 1280, height: 800, fullPage: false },
  {
    name: 'apply-confirm-desktop',
    path: (i) => `/runs/${i.held}/actions/apply`,
    width: 1280,
    height: 800,
    fullPage: false,
  },
  { name: 'dashboard-phone', path: () => '/', width: 390, height: 844, fullPage: false },
  { name: 'held-run-phone', path: (i) => `/runs/${i.held}`, width: 390, height: 844, fullPage: false },
];

async function shoot(page: Page, base: string, shot: Shot, ids: { held: number }): Promise<void> {
  await page.setViewportSize({ width: shot.width, height: shot.height });
  await page.goto(`${base}${shot.path(ids)}`);
  await page.waitForLoadState('networkidle');
  const o = await horizontalOverflow(page);
  if (o.overflow > 0) console.warn(`${shot.name}: ${o.overflow}px wider than the screen: ${o.culprits.join(', ')}`);
  const file = join(OUT, `${shot.name}.png`);
  await page.screenshot({ path: file, fullPage: shot.fullPage });
  console.log(`wrote ${file}`);
}

// The test suite's global setup finds or starts PostgreSQL, nats-server and the S3 server.
await setup();
const seeded = await startSeededPortal();
const browser = await launchBrowser();
try {
  await mkdir(OUT, { recursive: true });
  // The README shows a portal signed in as the seeded admin, in UTC (PORTAL_TIME_ZONE and the browser).
  await signInBrowser(browser.page, seeded.base, ADMIN);
  for (const shot of SHOTS) await shoot(browser.page, seeded.base, shot, { held: seeded.heldRunId });
} finally {
  await browser.close();
  await seeded.stop();
  await teardown();
}
