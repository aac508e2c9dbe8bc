/**
 * Stored XSS through a feed (issue 21 item 5), the whole system as real processes: an institution's
 * feed whose names, usernames, emails and tags carry script payloads is uploaded with curl, planned,
 * held and applied through the real pipeline; then every portal page that shows those values (run
 * page, plan, log, CSV and text exports, user lookup and history, audit, dashboard, htmx fragments) and
 * every report email are checked: the payload appears only escaped, never as markup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { keysV1, runsV1 } from '@usersync/contracts';
import { unary } from '@usersync/platform';
import { signIn, type PortalSession } from '../e2e/support/portal-client.js';
import {
  ACTOR,
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  REPORT_EMAIL,
  startPipelineSystem,
  type PipelineSystem,
} from '../e2e/support/pipeline-system.js';

/** Markup that must never reach a page unescaped. */
const RAW = ['<script>alert', '<img src=x onerror', '<svg onload', '<iframe', '"><b>'];
const HOSTILE_USERS = JSON.stringify([
  {
    ID: 'xss1',
    FIRST: '<script>alert(1)</script>',
    LAST: '"><img src=x onerror=alert(2)>',
    EMAIL: 'xss1@example.org',
    GROUP: ['staff'],
    DEPT: '<iframe src=javascript:alert(4)>',
  },
  {
    ID: 'xss2',
    FIRST: "'><svg onload=alert(5)>",
    LAST: '"><b>bold</b>',
    EMAIL: '"><img src=x onerror=alert(3)>@example.org',
    GROUP: ['staff'],
  },
  { ID: '<script>alert(6)</script>', FIRST: 'Bad', LAST: 'Username', EMAIL: 'bad@example.org', GROUP: ['staff'] },
  { FIRST: '<script>alert(7)</script>', LAST: 'No username', EMAIL: 'nouser@example.org' },
]);

let sys: PipelineSystem;
let portal: PortalSession;
let runId: number;

/** A session cookie of its own, through the real login form (PortalSession keeps its jar private). */
async function sessionCookie(): Promise<string> {
  const page = await fetch(`${sys.portalUrl}/login`);
  const login = page.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const token = login.find((c) => c.startsWith('usersync_login_csrf='))!.split('=')[1]!;
  const res = await fetch(`${sys.portalUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: login.join('; ') },
    body: new URLSearchParams({ _csrf: token, email: ADMIN_EMAIL, password: ADMIN_PASSWORD, next: '/' }).toString(),
  });
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => c.startsWith('usersync_session='))
    .join('; ');
}

function expectNoMarkup(where: string, body: string): void {
  for (const raw of RAW) expect(body.includes(raw), `${where} contains ${raw}`).toBe(false);
}

beforeAll(async () => {
  sys = await startPipelineSystem();
  const key = (await unary(sys.keys, 'createKey', {
    name: 'xss feed',
    scopes: ['sync:upload'],
    expiresAt: undefined,
    actor: ACTOR,
  })) as keysV1.CreateKeyResponse;
  sys.uploadKey = key.secret;
  const current = (await unary(sys.runs, 'getConfig', {})) as runsV1.GetConfigResponse;
  await unary(sys.runs, 'updateConfig', { config: { ...current.config!, reportEmails: [REPORT_EMAIL] }, actor: ACTOR });
  await sys.uploadFeed(HOSTILE_USERS);
  runId = await sys.newestRunId();
  await sys.waitForRun(runId, (r) => r.hasPlan, 30_000);
  portal = await signIn(sys.portalUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
}, 90_000);
afterAll(async () => {
  await sys?.stop();
}, 30_000);

const pages = (id: number) => [
  `/runs/${id}`,
  `/runs/${id}/plan`,
  `/runs/${id}/plan?q=${encodeURIComponent('<script>alert(8)</script>')}`,
  `/runs/${id}/log`,
  `/runs/${id}/log?q=${encodeURIComponent('"><img src=x onerror=alert(9)>')}`,
  `/users/lookup?q=xss1`,
  `/users/lookup?q=xss2`,
  `/users/lookup?q=${encodeURIComponent('<script>alert(10)</script>')}`,
  `/users/xss1/history`,
  `/users/xss2/history`,
  `/audit`,
  `/`,
];

describe('a hostile feed through the real pipeline', () => {
  it('shows the held run, its plan and log with the payload escaped', async () => {
    const plan = await portal.get(`/runs/${runId}/plan`);
    expect(plan.status).toBe(200);
    // The payload did reach the page, as text.
    expect(plan.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    for (const path of pages(runId)) {
      const page = await portal.get(path);
      expect(page.status, path).toBeLessThan(500);
      expectNoMarkup(path, page.html);
    }
  });

  it('applies it, and every page and the report email still escape the payload', async () => {
    await portal.confirm(`/runs/${runId}/actions/apply`);
    await sys.waitForRun(runId, (r) => r.status === 'complete' || r.status === 'failure', 30_000);
    for (const path of pages(runId)) {
      const page = await portal.get(path);
      expect(page.status, path).toBeLessThan(500);
      expectNoMarkup(path, page.html);
    }
    const lookup = await portal.get('/users/lookup?q=xss1');
    expect(lookup.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const mail = await sys.waitForMail(runId, (m) => (m.text ?? '').includes(`Outcome: Run ${runId}`));
    expect(typeof mail.html).toBe('string');
    expectNoMarkup('report email html', String(mail.html));
    // The text part is text/plain: the payload may (and does) appear there as the feed wrote it.
    expect(mail.subject ?? '').not.toMatch(/[<>]/);
  }, 60_000);

  it('serves the exports as downloads, never as HTML', async () => {
    for (const [path, type] of [
      [`/runs/${runId}/plan.csv`, /^text\/csv/],
      [`/runs/${runId}/log.txt`, /^text\/plain/],
    ] as const) {
      const res = await fetch(`${sys.portalUrl}${path}`, { headers: { cookie: await sessionCookie() } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type') ?? '', path).toMatch(type);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });
});
