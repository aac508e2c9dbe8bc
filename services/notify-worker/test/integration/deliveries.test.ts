/**
 * How reports are delivered: once per event, channel and recipient however often the event comes; the
 * webhook signed and retried; SMTP down, then up; the portal's list of a run's deliveries.
 */
import { Eta } from 'eta';
import { describe, expect, it } from 'vitest';
import { encodeEvent, newEvent, publishEvent } from '@usersync/contracts';
import { listDeliveries } from '@usersync/notify-state';
import { verifyWebhookSignature } from '../../src/index.js';
import { SECRET, dir, until, useNotifyEnv } from '../support/notify-env.js';

const env = useNotifyEnv();

describe('deliveries', () => {
  it('sends nothing twice when an event is delivered again', async () => {
    await env.setConfig({ reportEmails: ['again@example.org'], reportEndpoint: env.receiverUrl });
    const runId = await env.createRun({ status: 'failure', errorCount: 1 });
    const event = newEvent('sync.run.failed', { runId, error: 'data file is not valid JSON' });
    await env.publishAndSettle('sync.run.failed', event);
    const before = { mails: env.smtp.messages.length, posts: env.received.length, rows: await env.deliveries(runId) };
    expect(before.rows.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    const [mail] = await env.mailsTo('again@example.org');
    expect(mail!.subject).toBe('Failed: nothing applied — usersync sync.example.org');
    expect(mail!.text).toContain('Failure: data file is not valid JSON');
    // The same event under another Nats-Msg-Id: what a lost ack or a republished outbox row looks like.
    const ack = await env.js.publish('sync.run.failed', encodeEvent('sync.run.failed', event), {
      msgID: `${event.eventId}-again`,
    });
    await env.waitAcked(ack.seq);
    expect(env.smtp.messages.length).toBe(before.mails);
    expect(env.received.length).toBe(before.posts);
    expect(await env.deliveries(runId)).toEqual(before.rows);
  });

  it('signs the webhook so the receiver can verify it, and retries a 500', async () => {
    await env.setConfig({ reportEmails: [], reportEndpoint: env.receiverUrl });
    const runId = await env.createRun({ status: 'complete', errorCount: 0, counts: { updated: 2 } });
    const start = env.received.length;
    env.replies.push(500);
    await env.publishAndSettle('sync.run.completed', newEvent('sync.run.completed', { runId, errorCount: 0 }));
    const posts = env.received.slice(start);
    expect(posts.map((p) => p.status)).toEqual([500, 200]);
    for (const p of posts) expect(verifyWebhookSignature(SECRET, p.signature, p.body)).toMatchObject({ ok: true });
    expect(verifyWebhookSignature('wrong', posts[1]!.signature, posts[1]!.body)).toMatchObject({ ok: false });
    const body = JSON.parse(posts[1]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      host: 'sync.example.org',
      runId,
      status: 'complete',
      outcome: 'complete',
      errors: 0,
      // The previous finished run (the failure above) had 1 error.
      errorDelta: -1,
      holdReason: null,
      blockedUsers: [],
      blockedUrl: null,
    });
    expect(body.counts).toMatchObject({ updated: 2 });
    expect(await env.deliveries(runId)).toMatchObject([
      { channel: 'webhook', status: 'delivered', attempts: 2, last_error: null },
    ]);
  });

  it('records a webhook that keeps failing as failed after the attempt limit', async () => {
    await env.setConfig({ reportEmails: [], reportEndpoint: env.receiverUrl });
    const runId = await env.createRun({ status: 'cancelled' });
    env.replies.push(500, 503, 500);
    await env.publishAndSettle(
      'sync.run.cancelled',
      newEvent('sync.run.cancelled', { runId, whileRunning: false, reason: 'superseded' }),
    );
    expect(await env.deliveries(runId)).toMatchObject([{ status: 'failed', attempts: 3, last_error: 'HTTP 500' }]);
    expect(JSON.parse(env.received.at(-1)!.body)).toMatchObject({ outcome: 'cancelled', cancelReason: 'superseded' });
  });

  it('delivers the email later when SMTP is down, then up', async () => {
    await env.setConfig({ reportEmails: ['late@example.org'], reportEndpoint: '' });
    const restartSmtp = await env.stopSmtp();
    const runId = await env.createRun({ status: 'complete', errorCount: 0 });
    await publishEvent(env.js, 'sync.run.completed', newEvent('sync.run.completed', { runId, errorCount: 0 }));
    const pending = await until('two failed attempts', async () => {
      const [row] = await env.deliveries(runId);
      return row && row.attempts >= 2 ? row : undefined;
    });
    expect(pending).toMatchObject({ status: 'pending' });
    expect(pending.last_error).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
    const smtp = await restartSmtp();
    await smtp.waitFor(1, 20_000);
    expect((await env.mailsTo('late@example.org'))[0]!.subject).toBe(
      'Complete: no changes — usersync sync.example.org',
    );
    const done = await until('delivered row', async () => {
      const [row] = await env.deliveries(runId);
      return row?.status === 'delivered' ? row : undefined;
    });
    expect(done.attempts).toBeGreaterThanOrEqual(3);
  });

  it('lists a run’s deliveries for the portal and renders them escaped', async () => {
    const runId = await env.createRun({ status: 'complete' });
    await env.pool.query(
      `INSERT INTO notify.delivery (run_id, event_id, event_kind, channel, recipient, status, attempts, last_error)
       VALUES ($1, 'e1', 'completed', 'email', '<img src=x>@example.org', 'failed', 2, '550 <no such user>')`,
      [runId],
    );
    const list = await listDeliveries(env.pool, runId);
    expect(list).toMatchObject([{ channel: 'email', status: 'failed', attempts: 2, lastError: '550 <no such user>' }]);
    const eta = new Eta({ views: dir('../../../../web/src/views'), autoEscape: true });
    const html = eta.render('partials/runs/deliveries', { deliveries: list });
    expect(html).toContain('&lt;img src=x&gt;@example.org');
    expect(html).toContain('550 &lt;no such user&gt;');
    expect(html).not.toContain('<img');
    expect(eta.render('partials/runs/deliveries', { deliveries: [] }).trim()).toBe('');
    expect(eta.render('partials/runs/deliveries', {}).trim()).toBe('');
  });
});
