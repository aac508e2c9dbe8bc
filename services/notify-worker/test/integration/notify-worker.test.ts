/**
 * notify-worker against real servers: PostgreSQL (schemas runs and notify), a private nats-server,
 * a real SMTP server and a local HTTP receiver. Runs and their logs are written by SQL, as the
 * gateway and the apply-worker leave them; events are published as their outboxes would.
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { simpleParser, type ParsedMail } from 'mailparser';
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonV1, encodeEvent, newEvent, publishEvent, type Subject } from '@usersync/contracts';
import {
  createTestDatabase,
  freePort,
  startSmtpSink,
  startTestNats,
  startTestSmtp,
  type RunningSmtp,
  type TestDatabase,
  type TestNats,
} from '@usersync/devstack';
import { createLogger, createPool, runMigrations, type ServiceApp } from '@usersync/platform';
import { CONSUMER, createApp, loadConfig, verifyWebhookSignature } from '../../src/index.js';
import { listDeliveries } from '@usersync/notify-state';

const dir = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const SECRET = 'test-webhook-secret';
const log = createLogger({ service: 'notify-worker-test', level: 'silent' });

let db: TestDatabase;
let pool: pg.Pool;
let nats: TestNats;
let smtp: RunningSmtp;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let app: ServiceApp;
let receiver: Server;
let receiverUrl: string;
/** What the receiver answers next (then 200); each request is recorded. */
const replies: number[] = [];
const received: Array<{ body: string; signature: string | undefined; status: number }> = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function setConfig(config: object): Promise<void> {
  await pool.query(
    `INSERT INTO runs.sync_config (id, config) VALUES (true, $1) ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config`,
    [JSON.stringify(config)],
  );
}

/** A run as the apply-worker leaves it, with its log lines ([level, text]). */
async function createRun(fields: {
  status: string;
  errorCount?: number;
  counts?: object;
  holdReason?: string;
  holdDetail?: string;
  log?: Array<[string, string]>;
}): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO runs.run (status, expected_files, error_count, counts, plan_counts, hold_reason, hold_detail, finished_at)
     VALUES ($1, '{_control}', $2, $3, $3, $4, $5, CASE WHEN $1 IN ('complete', 'failure', 'cancelled') THEN now() END)
     RETURNING id`,
    [
      fields.status,
      fields.errorCount ?? 0,
      JSON.stringify(fields.counts ?? {}),
      fields.holdReason ?? null,
      fields.holdDetail ?? null,
    ],
  );
  const id = Number(rows[0]!.id);
  for (const [seq, [level, text]] of (fields.log ?? []).entries()) {
    await pool.query('INSERT INTO runs.run_log (run_id, seq, level, text) VALUES ($1, $2, $3, $4)', [
      id,
      seq,
      level,
      text,
    ]);
  }
  return id;
}

/** Publishes and waits until the consumer has acked the message. */
async function publishAndSettle<S extends Subject>(subject: S, event: Parameters<typeof publishEvent<S>>[2]) {
  const ack = await publishEvent(js, subject, event);
  await waitAcked(ack.seq);
  return ack;
}

async function waitAcked(seq: number): Promise<void> {
  await until(`ack of stream seq ${seq}`, async () => {
    const info = await jsm.consumers.info('SYNC_RUNS', CONSUMER);
    return info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0 ? true : undefined;
  });
}

async function deliveries(runId: number) {
  const { rows } = await pool.query(
    'SELECT event_kind, channel, recipient, status, attempts, last_error, delivered_at FROM notify.delivery WHERE run_id = $1 ORDER BY id',
    [runId],
  );
  return rows as Array<{
    channel: string;
    recipient: string;
    status: string;
    attempts: number;
    last_error: string | null;
  }>;
}

const mailsTo = async (address: string): Promise<ParsedMail[]> =>
  Promise.all(smtp.messages.filter((m) => m.to.includes(address)).map((m) => simpleParser(m.raw)));

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  await runMigrations(pool, { owner: 'runs', dir: dir('../../../ingest-gateway/migrations'), log });
  nats = await startTestNats();
  smtp = await startTestSmtp();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = replies.shift() ?? 200;
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers['x-usersync-signature'] as string,
        status,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  const config = loadConfig({
    DATABASE_URL: db.url,
    NATS_URL: nats.url,
    SMTP_URL: smtp.url,
    PUBLIC_URL: 'https://sync.example.org',
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_RETRY_BASE_MS: '10',
    WEBHOOK_ATTEMPTS_PER_DELIVERY: '3',
    WEBHOOK_MAX_ATTEMPTS: '3',
    NOTIFY_BACKOFF_BASE_MS: '100',
    NOTIFY_BACKOFF_MAX_MS: '400',
    HEALTH_PORT: String(await freePort()),
    LOG_LEVEL: 'silent',
  });
  app = await createApp(config, log);
  await app.start();
  nc = await connect({ servers: nats.url });
  js = nc.jetstream();
  jsm = await nc.jetstreamManager();
});

afterAll(async () => {
  await app?.stop();
  await nc?.close();
  await new Promise((r) => receiver?.close(r));
  await smtp?.stop();
  await nats?.stop();
  await pool?.end();
  await db?.drop();
});

describe('notify-worker', () => {
  it('acks a run with no recipients and no endpoint, sending nothing', async () => {
    await setConfig({ reportEmails: [], reportEndpoint: '' });
    const runId = await createRun({ status: 'complete', errorCount: 5 });
    await publishAndSettle('sync.run.completed', newEvent('sync.run.completed', { runId, errorCount: 5 }));
    await publishAndSettle('sync.run.queued', newEvent('sync.run.queued', { runId, reapply: false, planOnly: false }));
    expect(await deliveries(runId)).toEqual([]);
    expect(smtp.messages).toHaveLength(0);
  });

  it('emails every address with the error delta (negative), escaped HTML, ERROR lines and the log attached', async () => {
    await setConfig({ reportEmails: ['admin@example.org, ops@example.org'], reportEndpoint: '' });
    const runId = await createRun({
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
    await publishAndSettle(
      'sync.run.completed',
      newEvent('sync.run.completed', {
        runId,
        errorCount: 2,
        counts: { created: 3, updated: 0, reactivated: 0, blocked: 1, unchanged: 0, errors: 2 },
      }),
    );
    const [mail] = await mailsTo('admin@example.org');
    expect(await mailsTo('ops@example.org')).toHaveLength(1);
    // The previous finished run had 5 errors.
    expect(mail!.subject).toBe('User feed report / -3 / sync.example.org');
    expect(mail!.text).toContain('ERROR: (alice) <script>alert(1)</script> & more');
    expect(mail!.text).toContain(`Run page: https://sync.example.org/runs/${runId}`);
    expect(mail!.text).toContain('created 3, updated 0, reactivated 0, blocked 1');
    expect(mail!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(mail!.html).not.toContain('<script>');
    expect(mail!.attachments.map((a) => a.filename)).toEqual([`run-${runId}.log`]);
    expect(mail!.attachments[0]!.content.toString('utf8')).toContain('END: sync');
    expect((await deliveries(runId)).map((d) => [d.recipient, d.status, d.attempts])).toEqual([
      ['admin@example.org', 'delivered', 1],
      ['ops@example.org', 'delivered', 1],
    ]);
  });

  it('says what a held run would do, with a positive delta and a link to the review', async () => {
    await setConfig({ reportEmails: ['held@example.org'], reportEndpoint: '' });
    const detail = 'would block 1,204 users (14% of 8,600; limit 10%)';
    const runId = await createRun({
      status: 'held',
      errorCount: 4,
      holdReason: 'block_threshold',
      holdDetail: detail,
    });
    await publishAndSettle(
      'sync.run.held',
      newEvent('sync.run.held', {
        runId,
        holdReason: commonV1.HoldReason.HOLD_REASON_BLOCK_THRESHOLD,
        holdDetail: detail,
      }),
    );
    const [mail] = await mailsTo('held@example.org');
    expect(mail!.subject).toBe('User feed report / 2 / sync.example.org');
    expect(mail!.text).toContain('Hold reason: This run would block more users than the configured limit.');
    expect(mail!.text).toContain(`If applied: ${detail}`);
    expect(mail!.text).toContain(`Review and apply: https://sync.example.org/runs/${runId}`);
    await pool.query(`UPDATE runs.run SET status = 'cancelled' WHERE id = $1`, [runId]);
  });

  it('sends nothing twice when an event is delivered again', async () => {
    await setConfig({ reportEmails: ['again@example.org'], reportEndpoint: receiverUrl });
    const runId = await createRun({ status: 'failure', errorCount: 1 });
    const event = newEvent('sync.run.failed', { runId, error: 'data file is not valid JSON' });
    await publishAndSettle('sync.run.failed', event);
    const before = { mails: smtp.messages.length, posts: received.length, rows: await deliveries(runId) };
    expect(before.rows.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    // The same event under another Nats-Msg-Id: what a lost ack or a republished outbox row looks like.
    const ack = await js.publish('sync.run.failed', encodeEvent('sync.run.failed', event), {
      msgID: `${event.eventId}-again`,
    });
    await waitAcked(ack.seq);
    expect(smtp.messages.length).toBe(before.mails);
    expect(received.length).toBe(before.posts);
    expect(await deliveries(runId)).toEqual(before.rows);
  });

  it('signs the webhook so the receiver can verify it, and retries a 500', async () => {
    await setConfig({ reportEmails: [], reportEndpoint: receiverUrl });
    const runId = await createRun({ status: 'complete', errorCount: 0, counts: { updated: 2 } });
    const start = received.length;
    replies.push(500);
    await publishAndSettle('sync.run.completed', newEvent('sync.run.completed', { runId, errorCount: 0 }));
    const posts = received.slice(start);
    expect(posts.map((p) => p.status)).toEqual([500, 200]);
    for (const p of posts) expect(verifyWebhookSignature(SECRET, p.signature, p.body)).toMatchObject({ ok: true });
    expect(verifyWebhookSignature('wrong', posts[1]!.signature, posts[1]!.body)).toMatchObject({ ok: false });
    const body = JSON.parse(posts[1]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      host: 'sync.example.org',
      runId,
      status: 'complete',
      errors: 0,
      errorDelta: -1,
      holdReason: null,
    });
    expect(body.counts).toMatchObject({ updated: 2 });
    expect(await deliveries(runId)).toMatchObject([
      { channel: 'webhook', status: 'delivered', attempts: 2, last_error: null },
    ]);
  });

  it('records a webhook that keeps failing as failed after the attempt limit', async () => {
    await setConfig({ reportEmails: [], reportEndpoint: receiverUrl });
    const runId = await createRun({ status: 'cancelled' });
    replies.push(500, 503, 500);
    await publishAndSettle(
      'sync.run.cancelled',
      newEvent('sync.run.cancelled', { runId, whileRunning: false, reason: 'superseded' }),
    );
    expect(await deliveries(runId)).toMatchObject([{ status: 'failed', attempts: 3, last_error: 'HTTP 500' }]);
  });

  it('delivers the email later when SMTP is down, then up', async () => {
    await setConfig({ reportEmails: ['late@example.org'], reportEndpoint: '' });
    const port = smtp.port;
    await smtp.stop();
    const runId = await createRun({ status: 'complete', errorCount: 0 });
    await publishEvent(js, 'sync.run.completed', newEvent('sync.run.completed', { runId, errorCount: 0 }));
    const pending = await until('two failed attempts', async () => {
      const [row] = await deliveries(runId);
      return row && row.attempts >= 2 ? row : undefined;
    });
    expect(pending).toMatchObject({ status: 'pending' });
    expect(pending.last_error).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
    smtp = await startSmtpSink({ port });
    await smtp.waitFor(1, 20_000);
    expect((await mailsTo('late@example.org'))[0]!.subject).toBe('User feed report / 0 / sync.example.org');
    const done = await until('delivered row', async () => {
      const [row] = await deliveries(runId);
      return row?.status === 'delivered' ? row : undefined;
    });
    expect(done.attempts).toBeGreaterThanOrEqual(3);
  });

  it('lists a run’s deliveries for the portal and renders them escaped', async () => {
    const runId = await createRun({ status: 'complete' });
    await pool.query(
      `INSERT INTO notify.delivery (run_id, event_id, event_kind, channel, recipient, status, attempts, last_error)
       VALUES ($1, 'e1', 'completed', 'email', '<img src=x>@example.org', 'failed', 2, '550 <no such user>')`,
      [runId],
    );
    const list = await listDeliveries(pool, runId);
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
