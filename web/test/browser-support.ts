/**
 * Headless Chromium for the portal's browser tests: one launch (the system's /usr/bin/chromium through
 * playwright-core, a throw-away profile), CSP violations collected, and axe-core's WCAG checks of a page.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { freePort } from '@usersync/devstack';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  page: Page;
  context: BrowserContext;
  /** Console errors that name the Content Security Policy. */
  cspViolations: string[];
  close(): Promise<void>;
}

/** Launches Chromium with a desktop viewport (1280×800, DESIGN §8). */
export async function launchBrowser(): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'usersync-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  return {
    page,
    context,
    cspViolations,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2.1 A/AA violations of the page as it stands: "rule: target, …" per violation. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the portal's CSP (no inline scripts) does not block it.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            ctx: unknown,
            opts: unknown,
          ): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }>;
        };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations;
}

/** Screenshots the page at desktop (1280×800) and phone (390×844) width into /tmp, full length. */
export async function screenshotBoth(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `/tmp/usersync-${name}-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `/tmp/usersync-${name}-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** The two widths every page is checked at (DESIGN §8). */
export const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/**
 * Every axe-core violation of any impact: all of axe's default rules (WCAG 2.x A/AA and best
 * practices), as "rule (impact): target, …". Stricter than {@link axeViolations}.
 */
export async function axeAllViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(ctx: unknown): Promise<{
            violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document);
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** How far the page is wider than the viewport (0 when it fits), and the widest culprits when it does not. */
export async function horizontalOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document;
    const win = globalThis as unknown as { innerWidth: number };
    const overflow = doc.documentElement.scrollWidth - win.innerWidth;
    const culprits: string[] = [];
    if (overflow > 0) {
      const all = (
        globalThis as unknown as {
          document: {
            querySelectorAll(s: string): ArrayLike<{
              getBoundingClientRect(): { right: number };
              tagName: string;
              className: string;
              id: string;
            }>;
          };
        }
      ).document.querySelectorAll('body *');
      for (let i = 0; i < all.length && culprits.length < 5; i++) {
        const el = all[i]!;
        // Inside a scrolling box (.table-wrap) an element may be wider: only what widens the page counts.
        let clipped = false;
        for (let p = (el as unknown as { parentElement: unknown }).parentElement; p;) {
          const style = (
            globalThis as unknown as { getComputedStyle(e: unknown): { overflowX: string } }
          ).getComputedStyle(p);
          if (style.overflowX !== 'visible') clipped = true;
          p = (p as { parentElement: unknown }).parentElement;
        }
        if (!clipped && el.getBoundingClientRect().right > win.innerWidth + 1)
          culprits.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${String(el.className)}`);
      }
    }
    return { overflow, culprits };
  });
}

/** Signs in through the login form (the page lands where `next` points, the dashboard by default). */
export async function signInBrowser(page: Page, base: string, creds: { email: string; password: string }) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(creds.email);
  await page.getByLabel('Password').fill(creds.password);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL(`${base}/`);
}

/** Serves `app` on a free port, opens Chromium and signs in: the start of most browser tests. */
export async function openSignedIn(
  app: { listen(opts: { port: number; host: string }): Promise<unknown> },
  creds: { email: string; password: string },
): Promise<{ base: string; browser: Browser; page: Page }> {
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  const browser = await launchBrowser();
  await signInBrowser(browser.page, base, creds);
  return { base, browser, page: browser.page };
}
