/**
 * Reminders of runs held too long (NOTIFY_HELD_REMINDER_HOURS=24): once per run and address, with two
 * replicas passing every 150 ms; retried while SMTP is down. LOOKUP_SERVICE_ADDR points at a port
 * nobody listens on: the reminder still goes out, listing usernames without departments.
 */
import { describe, expect, it } from 'vitest';
import { freePort } from '@usersync/devstack';
import { sleep, until, useNotifyEnv } from '../support/notify-env.js';

const env = useNotifyEnv(async () => ({
  NOTIFY_HELD_REMINDER_HOURS: '24',
  NOTIFY_REMINDER_CHECK_MS: '150',
  NOTIFY_MAX_DELIVER: '20',
  LOOKUP_SERVICE_ADDR: `127.0.0.1:${await freePort()}`,
  LOOKUP_TIMEOUT_MS: '500',
}));

// No run events are published here: every mail is a reminder.
const reminders = () => env.smtp.messages;

describe('held-run reminders', () => {
  it('reminds every report address once of a run held longer than the limit, with two replicas', async () => {
    await env.setConfig({ reportEmails: ['a@example.org', 'b@example.org'], reportEndpoint: env.receiverUrl });
    await env.startReplica();
    const runId = await env.createRun({
      status: 'held',
      holdReason: 'block_threshold',
      holdDetail: 'would block 2 users (50% of 4; limit 10%)',
      counts: { blocked: 2, unchanged: 2 },
      blocks: [
        ['dave', 'Dave Jones'],
        ['erin', null],
      ],
      changedHoursAgo: 1,
    });
    await sleep(700);
    expect(reminders()).toHaveLength(0);

    await env.pool.query(`UPDATE runs.run SET updated_at = now() - interval '26 hours' WHERE id = $1`, [runId]);
    await env.smtp.waitFor(2, 10_000);
    // Several passes of both replicas later, still one reminder per address.
    await sleep(1_000);
    expect(
      reminders()
        .map((m) => m.to)
        .sort(),
    ).toEqual([['a@example.org'], ['b@example.org']]);
    expect(env.received).toHaveLength(0);
    const rows = await env.deliveries(runId);
    expect(rows.map((r) => [r.event_kind, r.event_id, r.recipient, r.status, r.attempts])).toEqual([
      ['reminder', `reminder:${runId}`, 'a@example.org', 'delivered', 1],
      ['reminder', `reminder:${runId}`, 'b@example.org', 'delivered', 1],
    ]);

    const [mail] = await env.mailsTo('a@example.org');
    expect(mail!.subject).toBe(`Reminder: run ${runId} held for 26 hours — usersync sync.example.org`);
    expect(mail!.text).toContain(`Reminder: run ${runId} has been held for 26 hours`);
    expect(mail!.text).toContain('Hold reason: This run would block more users than the configured limit.');
    expect(mail!.text).toContain('If applied: would block 2 users (50% of 4; limit 10%)');
    expect(mail!.text).toContain(`Review and apply: https://sync.example.org/runs/${runId}`);
    // lookup-service is down: usernames (and the plan's names), no departments.
    expect(mail!.text).toContain('Users this run would block: 2\n- dave (Dave Jones)\n- erin\n');
    expect(mail!.text).toContain(`All blocks in the plan: https://sync.example.org/runs/${runId}/plan?action=block`);
    await env.pool.query(`UPDATE runs.run SET status = 'cancelled' WHERE id = $1`, [runId]);
  });

  it('keeps a reminder pending while SMTP is down and sends it when SMTP is back', async () => {
    await env.setConfig({ reportEmails: ['late@example.org'], reportEndpoint: '' });
    const restartSmtp = await env.stopSmtp();
    const runId = await env.createRun({ status: 'held', holdReason: 'first_run', changedHoursAgo: 30 });
    const pending = await until('two failed reminder attempts', async () => {
      const [row] = await env.deliveries(runId);
      return row && row.attempts >= 2 ? row : undefined;
    });
    expect(pending).toMatchObject({ event_kind: 'reminder', status: 'pending' });
    const smtp = await restartSmtp();
    await smtp.waitFor(1, 10_000);
    const [mail] = await env.mailsTo('late@example.org');
    expect(mail!.subject).toBe(`Reminder: run ${runId} held for 30 hours — usersync sync.example.org`);
    expect(mail!.text).toContain('Hold reason: This is the first sync run: check it and apply it by hand.');
    const done = await until('delivered reminder', async () => {
      const [row] = await env.deliveries(runId);
      return row?.status === 'delivered' ? row : undefined;
    });
    expect(done.attempts).toBeGreaterThanOrEqual(3);
    await sleep(500);
    expect(env.smtp.messages).toHaveLength(1);
    await env.pool.query(`UPDATE runs.run SET status = 'cancelled' WHERE id = $1`, [runId]);
  });
});
