/**
 * The whole system as its users drive it: every service runs as a real child process from its
 * main.ts against real PostgreSQL, nats-server, S3, an SMTP sink and a local report endpoint. An
 * admin makes an API key, the institution's curl script uploads a feed, the first run is held and
 * applied from the portal, the report arrives by email and signed webhook, lookup explains a user,
 * and a second feed that drops a user is held by the rules until an admin approves the block.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { keysV1, runsV1 } from '@usersync/contracts';
import { commonV1, lookupV1 } from '@usersync/contracts';
import { unary } from '@usersync/platform';
import { FIRST_USERS, MANAGED_GROUPS, SECOND_USERS } from './support/feed.js';
import { signIn, type PortalSession } from './support/portal-client.js';
import { signatureIsValid } from './support/webhook-receiver.js';
import {
  ACTOR,
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  REPORT_EMAIL,
  WEBHOOK_SECRET,
  startPipelineSystem,
  type PipelineSystem,
} from './support/pipeline-system.js';

let sys: PipelineSystem;
let portal: PortalSession;
let firstRunId: number;
let secondRunId: number;

beforeAll(async () => {
  sys = await startPipelineSystem();
}, 60_000);

afterAll(async () => {
  await sys?.stop();
}, 30_000);

describe('the whole pipeline, every service a real process', () => {
  it('creates the upload script’s API key through key-service', async () => {
    const res = (await unary(sys.keys, 'createKey', {
      name: 'e2e upload script',
      scopes: ['sync:upload'],
      expiresAt: undefined,
      actor: ACTOR,
    })) as keysV1.CreateKeyResponse;
    expect(res.secret).toMatch(/^usk_[A-Za-z0-9_-]{43}$/);
    expect(res.key!.scopes).toEqual(['sync:upload']);
    sys.uploadKey = res.secret;
  });

  it('sets the report address, endpoint and managed groups through RunService', async () => {
    const current = (await unary(sys.runs, 'getConfig', {})) as runsV1.GetConfigResponse;
    const res = (await unary(sys.runs, 'updateConfig', {
      config: {
        ...current.config!,
        reportEmails: [REPORT_EMAIL],
        reportEndpoint: sys.receiver.url,
        managedGroups: MANAGED_GROUPS,
      },
      actor: ACTOR,
    })) as runsV1.UpdateConfigResponse;
    expect(res.config).toMatchObject({ reportEmails: [REPORT_EMAIL], reportEndpoint: sys.receiver.url });
    expect(res.config!.managedGroups.map((g) => g.code)).toEqual(['staff', 'students']);
  });

  it('uploads the first feed with curl and start-sync holds the first run', async () => {
    const out = await sys.uploadFeed(FIRST_USERS);
    const [controlJson, usersJson] = out.match(/\{[^{}]*\}/g) ?? [];
    expect(JSON.parse(controlJson!)).toMatchObject({ filename: '_control.json' });
    expect(JSON.parse(usersJson!)).toMatchObject({ filename: 'users.json', fileSize: FIRST_USERS.length });
    expect(out.endsWith('OK: Files uploaded are too different to previous sync; must apply manually.')).toBe(true);
    firstRunId = await sys.newestRunId();
    const status = await sys.runStatus(firstRunId);
    expect(status).toMatchObject({ status: 'held', holdReason: { code: 'first_run' } });
    // Nobody approves a first import blind: the worker plans it, and the preview is what Apply applies.
    const planned = await sys.waitForRun(firstRunId, (r) => r.hasPlan);
    expect(planned).toMatchObject({ status: 'held', planCounts: { created: 3, blocked: 0, errors: 1 } });
  });

  it('applies the held run from the portal and it completes with 3 created and 1 error', async () => {
    portal = await signIn(sys.portalUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
    const runPage = await portal.get(`/runs/${firstRunId}`);
    expect(runPage.status).toBe(200);
    expect(runPage.html).toContain(`/runs/${firstRunId}/actions/apply`);
    const { location } = await portal.confirm(`/runs/${firstRunId}/actions/apply`);
    expect(location).toBe(`/runs/${firstRunId}`);

    const done = await sys.waitForRun(firstRunId, (r) => r.status === 'complete' || r.status === 'failure');
    expect(done).toMatchObject({
      status: 'complete',
      errorCount: 1,
      counts: { created: 3, updated: 0, blocked: 0, errors: 1 },
    });
    expect(done.approvedBy).toBeTruthy();
  });

  it('emails the report with the error delta and the ERROR line, and posts a signed webhook', async () => {
    const mail = await sys.waitForMail(firstRunId, (m) =>
      (m.text ?? '').includes(`Outcome: Run ${firstRunId} applied`),
    );
    expect(mail.subject).toBe('Complete with errors: 1 error, 3 created — usersync 127.0.0.1');
    expect(mail.text).toContain('Change in error count: 1');
    expect(mail.text).toContain('ERROR lines: 1\nERROR: No username in record 3: {"FIRST":"Nobody"');
    expect(mail.attachments.map((a) => a.filename)).toEqual([`run-${firstRunId}.log`]);
    expect(mail.text).toContain(`${sys.portalUrl}/runs/${firstRunId}`);

    const hook = await sys.receiver.waitFor((w) => {
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
      runUrl: `${sys.portalUrl}/runs/${firstRunId}`,
    });
  });

  it('explains a created user through lookup-service: groups, raw record and run', async () => {
    const bob = await sys.lookupUser('bob@example.org');
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
    const out = await sys.uploadFeed(SECOND_USERS);
    // The users file shrank by over 10% against the last applied run: Haplo's file check holds it.
    expect(out.endsWith('OK: Files uploaded are too different to previous sync; must apply manually.')).toBe(true);
    secondRunId = await sys.newestRunId();
    expect(secondRunId).toBeGreaterThan(firstRunId);
    // The worker plans it anyway, and adds what the rules say of the plan: 1 of 3 in-feed users blocked is
    // 33% > maxBlockPercent 10.
    const held = await sys.waitForRun(secondRunId, (r) => r.hasPlan);
    expect(held).toMatchObject({ status: 'held', holdReason: { code: 'files_too_different' } });
    expect(held.holdDetail).toContain('; the plan also would block 1 user (33.3% of 3; limit 10%)');

    // The hold is reported once its plan exists, and the report says what applying would do.
    const hook = await sys.receiver.waitFor((w) => {
      const body = JSON.parse(w.body) as { runId: number; status: string; holdReason?: string };
      return body.runId === secondRunId && body.status === 'held';
    }, 20_000);
    expect(signatureIsValid(WEBHOOK_SECRET, hook)).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({
      holdReason: 'files_too_different',
      countsArePlanned: true,
      counts: { blocked: 1, updated: 1 },
    });
    const plan = (await unary(sys.runs, 'getRunPlan', {
      runId: secondRunId,
      pageSize: 10,
      pageToken: '',
      action: commonV1.UserAction.USER_ACTION_UNSPECIFIED,
    })) as runsV1.GetRunPlanResponse;
    expect(plan.counts).toMatchObject({ created: 0, updated: 1, blocked: 1, unchanged: 1 });

    // The admin has now seen the plan; approving it in the portal applies exactly that plan.
    await portal.confirm(`/runs/${secondRunId}/actions/apply`);
    const done = await sys.waitForRun(secondRunId, (r) => r.status === 'complete' || r.status === 'failure');
    expect(done).toMatchObject({ status: 'complete', errorCount: 0, counts: { blocked: 1, updated: 1, created: 0 } });
  });

  it('shows the blocked user as not in the feed, naming the run, and the changed user updated', async () => {
    const carol = await sys.lookupUser('carol');
    expect(carol).toMatchObject({ username: 'carol', active: false, inFeed: false, lastRunId: secondRunId });
    expect(carol.notes.join('\n')).toContain(`blocked by run ${secondRunId}`);

    const bob = await sys.lookupUser('bob');
    expect(bob).toMatchObject({ nameLast: 'Baker-Smith', inFeed: true, lastRunId: secondRunId });
    expect(JSON.parse(bob.lastRecordJson)).toMatchObject({ LAST: 'Baker-Smith' });

    const mail = await sys.waitForMail(secondRunId, (m) =>
      (m.text ?? '').includes(`Outcome: Run ${secondRunId} applied`),
    );
    // No errors this run, one in the previous complete run.
    expect(mail.subject).toBe('Complete: 1 updated, 1 blocked — usersync 127.0.0.1');
    expect(mail.text).toContain('Change in error count: -1');
  });
});
