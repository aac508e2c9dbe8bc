/**
 * Silence and mismatch alarms (issue 18) through the real SMTP sink and the webhook receiver: no upload for
 * longer than the limit, no successful run for longer than the limit, and a run that reported 35 creates
 * while its applied plan has none each raise one alarm, emailed to the report address and POSTed signed to
 * the report endpoint, recorded as deliveries, counted in the metric; a second pass sends nothing again; an
 * upload clears its silence. The pass's clock is the test's.
 */
import { describe, expect, it } from 'vitest';
import { createLogger, renderMetrics } from '@usersync/platform';
import { listActiveAlarms } from '@usersync/notify-state';
import { createEmailSender } from '../../src/clients/email.sender.js';
import { verifyWebhookSignature } from '../../src/domain/webhook-signature.js';
import { checkAlarms, type AlarmDeps } from '../../src/usecases/alarm-pass.js';
import { SECRET, useNotifyEnv } from '../support/notify-env.js';

const env = useNotifyEnv();
const HOUR = 3_600_000;

async function upload(hoursAgo: number): Promise<void> {
  const { rows } = await env.pool.query<{ id: string }>(
    `INSERT INTO runs.run (status, expected_files) VALUES ('cancelled', '{_control}') RETURNING id`,
  );
  await env.pool.query(
    `INSERT INTO runs.run_file (run_id, name, digest, size, uploaded_at)
     VALUES ($1, '_control', repeat('a', 64), 1, now() - make_interval(secs => $2::float8 * 3600))`,
    [rows[0]!.id, hoursAgo],
  );
}

function deps(now: Date): AlarmDeps {
  return {
    pool: env.pool,
    log: createLogger({ service: 'alarm-test', level: 'silent' }),
    email: createEmailSender({ smtpUrl: env.smtp.url, from: 'usersync <usersync@sync.example.org>' }),
    webhook: { secret: SECRET, timeoutMs: 5_000, attemptsPerDelivery: 1, maxAttempts: 3, retryBaseMs: 0 },
    host: 'sync.example.org',
    publicUrl: 'https://sync.example.org',
    // The newest success below is the mismatch run, an hour ago.
    settings: { noUploadHours: 24, noSuccessHours: 0.5 },
    maxAttempts: 3,
    now: () => now,
  };
}

describe('alarms', () => {
  let mismatchRun: number;

  it('raises each alarm once, by email and signed webhook, recorded and counted', async () => {
    await env.setConfig({ reportEmails: ['ops@example.org'], reportEndpoint: env.receiverUrl });
    await upload(30);
    // "Reported 35, applied 0": counts say 35 created, the applied plan has no row.
    mismatchRun = await env.createRun({ status: 'failure', counts: { created: 35 } });
    await env.pool.query(
      `UPDATE runs.run SET status = 'complete', finished_at = now() - interval '1 hour' WHERE id = $1`,
      [mismatchRun],
    );
    const now = new Date();
    const alarms = await checkAlarms(deps(now));
    expect(alarms.map((a) => a.kind)).toEqual(['no_upload', 'no_success', 'count_mismatch']);

    await env.smtp.waitFor(3, 10_000);
    const mails = await env.mailsTo('ops@example.org');
    expect(mails.map((m) => m.subject).sort()).toEqual([
      'Alarm: counts do not match — usersync sync.example.org',
      'Alarm: no successful sync — usersync sync.example.org',
      'Alarm: no upload — usersync sync.example.org',
    ]);
    const mismatch = mails.find((m) => m.subject!.startsWith('Alarm: counts'))!;
    expect(mismatch.text).toContain(
      `ALARM: Run ${mismatchRun} reported counts that do not match what it applied: created: reported 35, in the applied plan 0`,
    );
    expect(mismatch.text).toContain(`Look: https://sync.example.org/runs/${mismatchRun}`);
    const silence = mails.find((m) => m.subject!.startsWith('Alarm: no upload'))!;
    expect(silence.text).toMatch(/ALARM: No file has been uploaded for 30 hours \(since .*; limit 24 hours\)/);

    expect(env.received).toHaveLength(3);
    for (const w of env.received) expect(verifyWebhookSignature(SECRET, w.signature, w.body).ok).toBe(true);
    const bodies = env.received.map((w) => JSON.parse(w.body) as { type: string; kind: string; runId: number | null });
    expect(bodies.map((b) => [b.type, b.kind, b.runId])).toEqual([
      ['alarm', 'no_upload', null],
      ['alarm', 'no_success', null],
      ['alarm', 'count_mismatch', mismatchRun],
    ]);
    const { rows } = await env.pool.query(
      `SELECT event_kind, channel, status FROM notify.delivery WHERE event_id LIKE 'alarm:%' ORDER BY id`,
    );
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => `${r.event_kind} ${r.status}`))).toEqual(new Set(['alarm delivered']));
    expect((await renderMetrics()).body).toMatch(/usersync_alarms_raised_total\{kind="count_mismatch"\} 1/);
  });

  it('sends nothing again on the next pass, and clears a silence once a file arrives', async () => {
    await checkAlarms(deps(new Date(Date.now() + 60_000)));
    expect(env.smtp.messages).toHaveLength(3);
    expect(env.received).toHaveLength(3);
    await upload(0);
    await checkAlarms(deps(new Date(Date.now() + 2 * 60_000)));
    const active = await listActiveAlarms(env.pool);
    expect(active.map((a) => a.kind).sort()).toEqual(['count_mismatch', 'no_success']);
    expect(env.smtp.messages).toHaveLength(3);
  });

  it('raises a new silence alarm when the clock passes the limit again', async () => {
    await checkAlarms(deps(new Date(Date.now() + 25 * HOUR)));
    await env.smtp.waitFor(4, 10_000);
    const mails = await env.mailsTo('ops@example.org');
    expect(mails.filter((m) => m.subject!.startsWith('Alarm: no upload'))).toHaveLength(2);
  });
});
