/**
 * The whole system as its users drive it: every service runs as a real child process from its
 * main.ts against real PostgreSQL, nats-server, S3, an SMTP sink and a local report endpoint. An
 * admin makes an API key, the institution's curl script uploads a feed, the first run is held and
 * applied from the portal, the report arrives by email and signed webhook, lookup explains a user,
 * and a second feed that drops a user is held by the rules until an admin approves the block.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonV1, keysV1, lookupV1, runsV1 } from '@usersync/contracts';
import {
  createTestDatabase,
  startTestNats,
  startTestSmtp,
  testS3,
  type RunningSmtp,
  type TestDatabase,
  type TestNats,
} from '@usersync/devstack';
import { createGrpcClient, unary } from '@usersync/platform';
import { spawnServices, type SpawnedSystem } from '../support/spawn-services.js';
import { CONTROL_FILE, FIRST_USERS, MANAGED_GROUPS, SECOND_USERS, UPLOAD_SCRIPT } from './support/feed.js';
import { signIn, type PortalSession } from './support/portal-client.js';
import { signatureIsValid, startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const CURL = '/usr/bin/curl';
const run = promisify(execFile);
const ADMIN_EMAIL = 'e2e-admin@example.org';
const ADMIN_PASSWORD = 'correct horse battery staple';
const REPORT_EMAIL = 'it-team@example.org';
const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789';
const ACTOR = { kind: commonV1.ActorKind.ACTOR_KIND_ADMIN, id: 'e2e', displayName: 'E2E admin' };

let db: TestDatabase;
let nats: TestNats;
let smtp: RunningSmtp;
let receiver: WebhookReceiver;
let system: SpawnedSystem;
let dir: string;
let portalUrl: string;
let gatewayUrl: string;
let keys: keysV1.KeyServiceClient;
let runs: runsV1.RunServiceClient;
let lookup: lookupV1.LookupServiceClient;
let uploadKey: string;
let portal: PortalSession;
let firstRunId: number;
let secondRunId: number;

interface RunStatus {
  id: number;
  status: string;
  holdReason: { code: string; text: string } | null;
  holdDetail: string | null;
  errorCount: number;
  counts: Record<string, number> | null;
  approvedBy: unknown;
}

/** Runs Haplo's upload script with real curl; returns what the script printed. */
async function uploadFeed(users: string): Promise<string> {
  writeFileSync(join(dir, '_control.json'), CONTROL_FILE);
  writeFileSync(join(dir, 'users.json'), users);
  const { stdout } = await run('/bin/sh', [join(dir, 'upload.sh')], {
    env: { PATH: '/usr/bin:/bin', DIR: dir, KEY: uploadKey, SERVER: gatewayUrl.replace('http://', '') },
  });
  return stdout;
}

/** GET /api/user-sync/runs/:id with the upload key, as a waiting script would. */
async function runStatus(id: number): Promise<RunStatus> {
  const res = await fetch(`${gatewayUrl}/api/user-sync/runs/${id}`, {
    headers: { authorization: `Bearer ${uploadKey}` },
  });
  if (res.status !== 200) throw new Error(`runs/${id} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as RunStatus;
}

/** Polls the run until `done` holds; the timeout error shows the last status and the worker's output. */
async function waitForRun(id: number, done: (r: RunStatus) => boolean, timeoutMs = 20_000): Promise<RunStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: RunStatus | undefined;
  while (Date.now() < deadline) {
    last = await runStatus(id);
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  const worker = system.service('apply-worker').output.join('').slice(-3000);
  throw new Error(`run ${id} never got there; last: ${JSON.stringify(last)}\napply-worker:\n${worker}`);
}

/** The newest run id (RunService ListRuns, newest first). */
async function newestRunId(): Promise<number> {
  const res = (await unary(runs, 'listRuns', { pageSize: 1, pageToken: '' })) as runsV1.ListRunsResponse;
  return res.runs[0]!.id;
}

/** Parsed report mails to the report address whose text mentions the run page. */
async function reportMailsFor(runId: number): Promise<ParsedMail[]> {
  const parsed = await Promise.all(
    smtp.messages.filter((m) => m.to.includes(REPORT_EMAIL)).map((m) => simpleParser(m.raw)),
  );
  return parsed.filter((m) => (m.text ?? '').includes(`/runs/${runId}`));
}

/** Waits for a report mail about the run that satisfies `pick`. */
async function waitForMail(runId: number, pick: (m: ParsedMail) => boolean, timeoutMs = 20_000): Promise<ParsedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await reportMailsFor(runId)).find(pick);
    if (found) return found;
    if (Date.now() > deadline) {
      const notify = system.service('notify-worker').output.join('').slice(-3000);
      throw new Error(`no matching report mail for run ${runId} (${smtp.messages.length} mails)\n${notify}`);
    }
    await smtp.waitFor(smtp.messages.length + 1, 500).catch(() => undefined);
  }
}

async function lookupUser(query: string): Promise<lookupV1.UserDetails> {
  const res = (await unary(lookup, 'lookupUser', { query })) as lookupV1.LookupUserResponse;
  expect(res.matches).toHaveLength(1);
  return res.matches[0]!;
}

beforeAll(async () => {
  if (!existsSync(CURL)) throw new Error(`${CURL} is missing: install it with \`apt-get install -y curl\``);
  dir = mkdtempSync(join(tmpdir(), 'usersync-e2e-'));
  writeFileSync(join(dir, 'upload.sh'), UPLOAD_SCRIPT);
  [db, nats, smtp, receiver] = await Promise.all([
    createTestDatabase(),
    startTestNats(),
    startTestSmtp(),
    startWebhookReceiver(),
  ]);
  const s3 = testS3();
  system = await spawnServices({
    env: {
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region,
      LOG_LEVEL: 'info',
    },
    serviceEnv: (ports) => {
      const publicUrl = `http://127.0.0.1:${ports.web!.HTTP_PORT}`;
      return {
        web: { PUBLIC_URL: publicUrl, USERSYNC_ADMIN_EMAIL: ADMIN_EMAIL, USERSYNC_ADMIN_PASSWORD: ADMIN_PASSWORD },
        'notify-worker': { PUBLIC_URL: publicUrl, SMTP_URL: smtp.url, WEBHOOK_SECRET, WEBHOOK_RETRY_BASE_MS: '100' },
      };
    },
  });
  await system.waitReady(40_000);
  portalUrl = system.service('web').healthUrl;
  const gateway = system.service('ingest-gateway');
  gatewayUrl = `http://127.0.0.1:${gateway.ports.HTTP_PORT}`;
  keys = createGrpcClient(keysV1.KeyServiceClient, system.peers.KEY_SERVICE_ADDR!);
  runs = createGrpcClient(runsV1.RunServiceClient, system.peers.RUN_SERVICE_ADDR!, { deadlineMs: 20_000 });
  lookup = createGrpcClient(lookupV1.LookupServiceClient, system.peers.LOOKUP_SERVICE_ADDR!);
}, 60_000);

afterAll(async () => {
  keys?.close();
  runs?.close();
  lookup?.close();
  system?.kill();
  await Promise.all(system?.services.map((s) => s.exit) ?? []);
  await Promise.all([receiver?.stop(), smtp?.stop(), nats?.stop()]);
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('the whole pipeline, every service a real process', () => {
  it('creates the upload script’s API key through key-service', async () => {
    const res = (await unary(keys, 'createKey', {
      name: 'e2e upload script',
      scopes: ['sync:upload'],
      expiresAt: undefined,
      actor: ACTOR,
    })) as keysV1.CreateKeyResponse;
    expect(res.secret).toMatch(/^usk_[A-Za-z0-9_-]{43}$/);
    expect(res.key!.scopes).toEqual(['sync:upload']);
    uploadKey = res.secret;
  });

  it('uploads the first feed with curl and start-sync holds the first run', async () => {
    const out = await uploadFeed(FIRST_USERS);
    const [controlJson, usersJson] = out.match(/\{[^{}]*\}/g) ?? [];
    expect(JSON.parse(controlJson!)).toMatchObject({ filename: '_control.json' });
    expect(JSON.parse(usersJson!)).toMatchObject({ filename: 'users.json', fileSize: FIRST_USERS.length });
    expect(out.endsWith('OK: Files uploaded are too different to previous sync; must apply manually.')).toBe(true);
    firstRunId = await newestRunId();
    const status = await runStatus(firstRunId);
    expect(status).toMatchObject({ status: 'ready', holdReason: { code: 'first_run' } });
  });

  it('sets the report address, endpoint and managed groups through RunService', async () => {
    const current = (await unary(runs, 'getConfig', {})) as runsV1.GetConfigResponse;
    const res = (await unary(runs, 'updateConfig', {
      config: {
        ...current.config!,
        reportEmails: [REPORT_EMAIL],
        reportEndpoint: receiver.url,
        managedGroups: MANAGED_GROUPS,
      },
      actor: ACTOR,
    })) as runsV1.UpdateConfigResponse;
    expect(res.config).toMatchObject({ reportEmails: [REPORT_EMAIL], reportEndpoint: receiver.url });
    expect(res.config!.managedGroups.map((g) => g.code)).toEqual(['staff', 'students']);
  });

  it('applies the held run from the portal and it completes with 3 created and 1 error', async () => {
    portal = await signIn(portalUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
    const runPage = await portal.get(`/runs/${firstRunId}`);
    expect(runPage.status).toBe(200);
    expect(runPage.html).toContain(`/runs/${firstRunId}/actions/apply`);
    const { location } = await portal.confirm(`/runs/${firstRunId}/actions/apply`);
    expect(location).toBe(`/runs/${firstRunId}`);

    const done = await waitForRun(firstRunId, (r) => r.status === 'complete' || r.status === 'failure');
    expect(done).toMatchObject({
      status: 'complete',
      errorCount: 1,
      counts: { created: 3, updated: 0, blocked: 0, errors: 1 },
    });
    expect(done.approvedBy).toBeTruthy();
  });

  it('emails the report with the error delta and the ERROR line, and posts a signed webhook', async () => {
    const mail = await waitForMail(firstRunId, (m) => (m.text ?? '').includes(`Outcome: Run ${firstRunId} applied`));
    expect(mail.subject).toBe('User feed report / 1 / 127.0.0.1');
    expect(mail.text).toContain('ERROR lines: 1\nERROR: No username in record 3: {"FIRST":"Nobody"');
    expect(mail.attachments.map((a) => a.filename)).toEqual([`run-${firstRunId}.log`]);
    expect(mail.text).toContain(`${portalUrl}/runs/${firstRunId}`);

    const hook = await receiver.waitFor((w) => {
      const body = JSON.parse(w.body) as { runId: number; status: string };
      return body.runId === firstRunId && body.status === 'complete';
    }, 20_000);
    expect(hook.path).toBe('/usersync-report');
    expect(hook.headers['content-type']).toContain('application/json');
    expect(signatureIsValid(WEBHOOK_SECRET, hook)).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({
      host: '127.0.0.1',
      errors: 1,
      errorDelta: 1,
      countsArePlanned: false,
      counts: { created: 3, errors: 1 },
      runUrl: `${portalUrl}/runs/${firstRunId}`,
    });
  });

  it('explains a created user through lookup-service: groups, raw record and run', async () => {
    const bob = await lookupUser('bob@example.org');
    expect(bob).toMatchObject({
      username: 'bob',
      nameFirst: 'Bob',
      nameLast: 'Baker',
      active: true,
      inFeed: true,
      lastRunId: firstRunId,
      lastRecordRunId: firstRunId,
      tags: { department: 'history' },
    });
    expect(bob.groups.map((g) => [g.code, g.source])).toEqual([
      ['staff', lookupV1.GroupSource.GROUP_SOURCE_SYNC],
      ['students', lookupV1.GroupSource.GROUP_SOURCE_SYNC],
    ]);
    expect(JSON.parse(bob.lastRecordJson)).toMatchObject({ ID: 'bob', LAST: 'Baker', GROUP: ['staff', 'students'] });

    const page = await portal.get('/users/lookup?q=bob');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Baker');
  });

  it('holds a second feed that blocks 1 of 3 users until an admin approves the plan', async () => {
    const out = await uploadFeed(SECOND_USERS);
    // The users file shrank by over 10% against the last applied run: Haplo's file check holds it.
    expect(out.endsWith('OK: Files uploaded are too different to previous sync; must apply manually.')).toBe(true);
    secondRunId = await newestRunId();
    expect(secondRunId).toBeGreaterThan(firstRunId);
    expect(await runStatus(secondRunId)).toMatchObject({
      status: 'ready',
      holdReason: { code: 'files_too_different' },
    });

    // Approving a hold that had no plan yet still gets the safety checks: 1 of 3 in-feed users
    // blocked is 33% > maxBlockPercent 10, so the worker plans and holds it.
    await unary(runs, 'applyRun', { runId: secondRunId, actor: ACTOR });
    const held = await waitForRun(
      secondRunId,
      (r) => r.status !== 'running' && r.holdReason?.code !== 'files_too_different',
    );
    expect(held).toMatchObject({ status: 'ready', holdReason: { code: 'block_threshold' } });
    expect(held.holdDetail).toBe('would block 1 user (33.3% of 3; limit 10%)');

    // Each hold is reported: start-sync's (files too different), then the worker's (block threshold),
    // which says what applying would do.
    for (const reason of ['files_too_different', 'block_threshold']) {
      const hook = await receiver.waitFor((w) => {
        const body = JSON.parse(w.body) as { runId: number; status: string; holdReason?: string };
        return body.runId === secondRunId && body.status === 'held' && body.holdReason === reason;
      }, 20_000);
      expect(signatureIsValid(WEBHOOK_SECRET, hook), reason).toBe(true);
      expect(JSON.parse(hook.body), reason).toMatchObject({ countsArePlanned: true });
    }
    const plan = (await unary(runs, 'getRunPlan', {
      runId: secondRunId,
      pageSize: 10,
      pageToken: '',
      action: commonV1.UserAction.USER_ACTION_UNSPECIFIED,
    })) as runsV1.GetRunPlanResponse;
    expect(plan.counts).toMatchObject({ created: 0, updated: 1, blocked: 1, unchanged: 1 });

    // The admin has now seen the plan; approving it in the portal applies exactly that plan.
    await portal.confirm(`/runs/${secondRunId}/actions/apply`);
    const done = await waitForRun(secondRunId, (r) => r.status === 'complete' || r.status === 'failure');
    expect(done).toMatchObject({ status: 'complete', errorCount: 0, counts: { blocked: 1, updated: 1, created: 0 } });
  });

  it('shows the blocked user as not in the feed, naming the run, and the changed user updated', async () => {
    const carol = await lookupUser('carol');
    expect(carol).toMatchObject({ username: 'carol', active: false, inFeed: false, lastRunId: secondRunId });
    expect(carol.notes.join('\n')).toContain(`blocked by run ${secondRunId}`);

    const bob = await lookupUser('bob');
    expect(bob).toMatchObject({ nameLast: 'Baker-Smith', inFeed: true, lastRunId: secondRunId });
    expect(JSON.parse(bob.lastRecordJson)).toMatchObject({ LAST: 'Baker-Smith' });

    const mail = await waitForMail(secondRunId, (m) => (m.text ?? '').includes(`Outcome: Run ${secondRunId} applied`));
    // No errors this run, one in the previous complete run.
    expect(mail.subject).toBe('User feed report / -1 / 127.0.0.1');
  });
});
