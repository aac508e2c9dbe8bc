/**
 * What a report says, by email and webhook: the outcome in the subject, counts, ERROR lines, the log
 * attached, what a held run would do, and the users a run blocks with their departments (a fake
 * LookupService over real gRPC) and the links to act on them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { commonV1, newEvent } from '@usersync/contracts';
import { startFakeLookup, type FakeLookup } from '../support/fake-lookup.js';
import { useNotifyEnv } from '../support/notify-env.js';

let lookup: FakeLookup;
const env = useNotifyEnv(async () => {
  lookup = await startFakeLookup({ alice: 'Chemistry', carol: 'History' });
  return { LOOKUP_SERVICE_ADDR: lookup.address };
});
afterAll(() => lookup?.stop());

describe('report email', () => {
  it('acks a run with no recipients and no endpoint, sending nothing', async () => {
    await env.setConfig({ reportEmails: [], reportEndpoint: '' });
    const runId = await env.createRun({ status: 'complete', errorCount: 5 });
    await env.publishAndSettle('sync.run.completed', newEvent('sync.run.completed', { runId, errorCount: 5 }));
    await env.publishAndSettle(
      'sync.run.queued',
      newEvent('sync.run.queued', { runId, reapply: false, planOnly: false }),
    );
    expect(await env.deliveries(runId)).toEqual([]);
    expect(env.smtp.messages).toHaveLength(0);
  });

  it('emails every address with the outcome, escaped HTML, ERROR lines and the log attached', async () => {
    await env.setConfig({ reportEmails: ['admin@example.org, ops@example.org'], reportEndpoint: '' });
    const runId = await env.createRun({
      status: 'complete',
      errorCount: 2,
      counts: { created: 3, blocked: 1 },
      log: [
        ['info', 'START: sync'],
        ['error', 'ERROR: (alice) <script>alert(1)</script> & more'],
        ['error', 'ERROR: (bob) missing email'],
        ['info', 'END: sync'],
      ],
    });
    await env.publishAndSettle(
      'sync.run.completed',
      newEvent('sync.run.completed', {
        runId,
        errorCount: 2,
        counts: { created: 3, updated: 0, reactivated: 0, blocked: 1, unchanged: 0, errors: 2 },
      }),
    );
    const [mail] = await env.mailsTo('admin@example.org');
    expect(await env.mailsTo('ops@example.org')).toHaveLength(1);
    expect(mail!.subject).toBe('Complete with errors: 2 errors, 3 created, 1 blocked — usersync sync.example.org');
    // The previous finished run had 5 errors.
    expect(mail!.text).toContain('Change in error count: -3');
    expect(mail!.text).toContain('ERROR: (alice) <script>alert(1)</script> & more');
    expect(mail!.text).toContain(`Run page: https://sync.example.org/runs/${runId}`);
    expect(mail!.text).toContain('created 3, updated 0, reactivated 0, blocked 1');
    expect(mail!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(mail!.html).not.toContain('<script>');
    expect(mail!.attachments.map((a) => a.filename)).toEqual([`run-${runId}.log`]);
    expect(mail!.attachments[0]!.content.toString('utf8')).toContain('END: sync');
    expect((await env.deliveries(runId)).map((d) => [d.recipient, d.status, d.attempts])).toEqual([
      ['admin@example.org', 'delivered', 1],
      ['ops@example.org', 'delivered', 1],
    ]);
  });

  it('says what a held run would do and whom it would block, with departments and links to act', async () => {
    await env.setConfig({ reportEmails: ['held@example.org'], reportEndpoint: env.receiverUrl });
    const detail = 'would block 12 users (14% of 86; limit 10%)';
    const blocks = Array.from({ length: 12 }, (_, i): [string, string | null] => [
      `u${String(i).padStart(2, '0')}`,
      null,
    ]);
    blocks.push(['alice', 'Alice Smith'], ['carol', null]);
    const runId = await env.createRun({ status: 'held', errorCount: 4, holdReason: 'block_threshold', blocks });
    const posts = env.received.length;
    await env.publishAndSettle(
      'sync.run.held',
      newEvent('sync.run.held', {
        runId,
        holdReason: commonV1.HoldReason.HOLD_REASON_BLOCK_THRESHOLD,
        holdDetail: detail,
        planCounts: { created: 0, updated: 2, reactivated: 0, blocked: 14, unchanged: 70, errors: 4 },
      }),
    );
    const [mail] = await env.mailsTo('held@example.org');
    expect(mail!.subject).toBe('Held: would block 14 users, update 2, 4 errors — usersync sync.example.org');
    expect(mail!.text).toContain('Hold reason: This run would block more users than the configured limit.');
    expect(mail!.text).toContain(`If applied: ${detail}`);
    expect(mail!.text).toContain(`Review and apply: https://sync.example.org/runs/${runId}`);
    // The first 10 by username, departments from lookup-service (alice, carol) where it has them.
    expect(mail!.text).toContain(
      [
        'Users this run would block: the first 10 of 14',
        '- alice (Alice Smith), Chemistry',
        '- carol, History',
        '- u00',
      ].join('\n'),
    );
    expect(mail!.text).not.toContain('- u08');
    expect(mail!.text).toContain(`All blocks in the plan: https://sync.example.org/runs/${runId}/plan?action=block`);
    expect(mail!.html).toContain(`<a href="https://sync.example.org/runs/${runId}/plan?action=block">`);
    expect(lookup.queries).toEqual(expect.arrayContaining(['alice', 'carol', 'u00', 'u07']));

    // The webhook keeps every field it had and adds the outcome and the blocked users.
    const body = JSON.parse(env.received[posts]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      runId,
      status: 'held',
      outcome: 'held',
      countsArePlanned: true,
      holdReason: 'block_threshold',
      holdDetail: detail,
      failure: null,
      cancelReason: null,
      remainderOf: null,
      runUrl: `https://sync.example.org/runs/${runId}`,
      blockedUrl: `https://sync.example.org/runs/${runId}/plan?action=block`,
    });
    expect((body.blockedUsers as unknown[]).slice(0, 2)).toEqual([
      { username: 'alice', displayName: 'Alice Smith', department: 'Chemistry' },
      { username: 'carol', displayName: null, department: 'History' },
    ]);
    expect(body.counts).toMatchObject({ blocked: 14, updated: 2 });
    await env.pool.query(`UPDATE runs.run SET status = 'cancelled' WHERE id = $1`, [runId]);
  });

  it('lists whom a complete run blocked, and a follow-up run names the run it continues', async () => {
    await env.setConfig({ reportEmails: ['done@example.org'], reportEndpoint: '' });
    const runId = await env.createRun({
      status: 'complete',
      counts: { updated: 1, blocked: 1 },
      blocks: [['alice', null]],
    });
    await env.publishAndSettle('sync.run.completed', newEvent('sync.run.completed', { runId, errorCount: 0 }));
    const [done] = await env.mailsTo('done@example.org');
    expect(done!.subject).toBe('Complete: 1 updated, 1 blocked — usersync sync.example.org');
    expect(done!.text).toContain('Users this run blocked: 1\n- alice, Chemistry\n');

    const followUp = await env.createRun({
      status: 'held',
      holdReason: 'partial_remainder',
      holdDetail: `1 planned changes of run ${runId} were kept back for a later decision`,
      remainderOf: runId,
    });
    await env.setConfig({ reportEmails: ['rest@example.org'], reportEndpoint: '' });
    await env.publishAndSettle(
      'sync.run.held',
      newEvent('sync.run.held', {
        runId: followUp,
        holdReason: commonV1.HoldReason.HOLD_REASON_PARTIAL_REMAINDER,
        // Empty: the run's stored detail is shown.
        holdDetail: '',
        planCounts: { created: 1, updated: 0, reactivated: 0, blocked: 0, unchanged: 0, errors: 0 },
      }),
    );
    const [rest] = await env.mailsTo('rest@example.org');
    expect(rest!.subject).toBe('Held: would create 1 user — usersync sync.example.org');
    expect(rest!.text).toContain(`Continues run: ${runId}, applied in part: this run holds the rest`);
    expect(rest!.text).toContain(`Run ${runId}: https://sync.example.org/runs/${runId}`);
    expect(rest!.text).toContain(`If applied: 1 planned changes of run ${runId} were kept back for a later decision`);
    expect(rest!.text).not.toContain('Users this run would block');
    await env.pool.query(`UPDATE runs.run SET status = 'cancelled' WHERE id = $1`, [followUp]);
  });
});
