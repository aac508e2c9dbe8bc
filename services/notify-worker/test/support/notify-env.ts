/**
 * notify-worker against real servers, shared by its integration suites: PostgreSQL (schemas runs and
 * notify), a private nats-server, a real SMTP server and a local HTTP receiver for webhooks. Runs, their
 * plans and logs are written by SQL, as the gateway and the apply-worker leave them; events are published
 * as their outboxes would. `const env = useNotifyEnv()` in a test file; the servers live for that file.
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { simpleParser, type ParsedMail } from 'mailparser';
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { publishEvent, type Subject } from '@usersync/contracts';
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
import { CONSUMER, createApp, loadConfig } from '../../src/index.js';

export const dir = (p: string) => fileURLToPath(new URL(p, import.meta.url));
export const SECRET = 'test-webhook-secret';
const log = createLogger({ service: 'notify-worker-test', level: 'silent' });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A run as the apply-worker leaves it. */
export interface RunFields {
  status: string;
  errorCount?: number;
  counts?: object;
  holdReason?: string;
  holdDetail?: string;
  remainderOf?: number;
  /** Log lines: [level, text]. */
  log?: Array<[string, string]>;
  /** Plan rows of action 'block': [username, display name]. */
  blocks?: Array<[string, string | null]>;
  /** How long ago the run last changed status (held since), in hours. */
  changedHoursAgo?: number;
}

/** One delivery row, as a test reads it. */
export interface DeliveryRow {
  event_kind: string;
  event_id: string;
  channel: string;
  recipient: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

export interface NotifyEnv {
  readonly pool: pg.Pool;
  readonly smtp: RunningSmtp;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly receiverUrl: string;
  /** What the webhook receiver answers next (then 200). */
  readonly replies: number[];
  /** Every request the receiver got. */
  readonly received: Array<{ body: string; signature: string | undefined; status: number }>;
  setConfig(config: object): Promise<void>;
  createRun(fields: RunFields): Promise<number>;
  /** Publishes and waits until the consumer has acked the message. */
  publishAndSettle<S extends Subject>(
    subject: S,
    event: Parameters<typeof publishEvent<S>>[2],
  ): ReturnType<typeof publishEvent<S>>;
  waitAcked(seq: number): Promise<void>;
  deliveries(runId: number): Promise<DeliveryRow[]>;
  mailsTo(address: string): Promise<ParsedMail[]>;
  /** Stops SMTP; the function returned starts it again on the same port. */
  stopSmtp(): Promise<() => Promise<RunningSmtp>>;
  /** A second notify-worker on the same database and NATS (a replica); stopped after the file. */
  startReplica(): Promise<ServiceApp>;
}

/** Starts everything in beforeAll (with `extraEnv` for the worker) and stops it in afterAll. */
export function useNotifyEnv(extraEnv: () => Record<string, string> | Promise<Record<string, string>> = () => ({})) {
  let db: TestDatabase;
  let pool: pg.Pool;
  let nats: TestNats;
  let smtp: RunningSmtp;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  const apps: ServiceApp[] = [];
  let receiver: Server;
  let receiverUrl = '';
  const replies: number[] = [];
  const received: NotifyEnv['received'] = [];
  let workerEnv: Record<string, string> = {};

  const startWorker = async () => {
    const app = await createApp(loadConfig({ ...workerEnv, HEALTH_PORT: String(await freePort()) }), log);
    await app.start();
    apps.push(app);
    return app;
  };

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
    workerEnv = {
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
      NOTIFY_HELD_REMINDER_HOURS: '0',
      // Alarm passes only where a suite asks for them (alarms.test.ts calls the pass itself).
      NOTIFY_ALARM_CHECK_MS: '0',
      LOG_LEVEL: 'silent',
      ...(await extraEnv()),
    };
    await startWorker();
    nc = await connect({ servers: nats.url });
    js = nc.jetstream();
    jsm = await nc.jetstreamManager();
  });

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await nc?.close();
    await new Promise((r) => receiver?.close(r));
    await smtp?.stop();
    await nats?.stop();
    await pool?.end();
    await db?.drop();
  });

  const waitAcked = async (seq: number) => {
    await until(`ack of stream seq ${seq}`, async () => {
      const info = await jsm.consumers.info('SYNC_RUNS', CONSUMER);
      return info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0 ? true : undefined;
    });
  };

  const env: NotifyEnv = {
    get pool() {
      return pool;
    },
    get smtp() {
      return smtp;
    },
    get js() {
      return js;
    },
    get jsm() {
      return jsm;
    },
    get receiverUrl() {
      return receiverUrl;
    },
    replies,
    received,
    async setConfig(config) {
      await pool.query(
        `INSERT INTO runs.sync_config (id, config) VALUES (true, $1) ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config`,
        [JSON.stringify(config)],
      );
    },
    createRun: (fields) => insertRun(pool, fields),
    async publishAndSettle(subject, event) {
      const ack = await publishEvent(js, subject, event);
      await waitAcked(ack.seq);
      return ack;
    },
    waitAcked,
    async deliveries(runId) {
      const { rows } = await pool.query<DeliveryRow>(
        `SELECT event_kind, event_id, channel, recipient, status, attempts, last_error
         FROM notify.delivery WHERE run_id = $1 ORDER BY id`,
        [runId],
      );
      return rows;
    },
    mailsTo: (address) =>
      Promise.all(smtp.messages.filter((m) => m.to.includes(address)).map((m) => simpleParser(m.raw))),
    async stopSmtp() {
      const port = smtp.port;
      await smtp.stop();
      return async () => (smtp = await startSmtpSink({ port }));
    },
    startReplica: startWorker,
  };
  return env;
}

async function insertRun(pool: pg.Pool, fields: RunFields): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO runs.run (status, expected_files, error_count, counts, plan_counts, hold_reason, hold_detail,
                           remainder_of, finished_at, updated_at)
     VALUES ($1, '{_control}', $2, $3, $3, $4, $5, $6, CASE WHEN $1 IN ('complete', 'failure', 'cancelled') THEN now() END,
             now() - make_interval(secs => $7::float8 * 3600))
     RETURNING id`,
    [
      fields.status,
      fields.errorCount ?? 0,
      JSON.stringify(fields.counts ?? {}),
      fields.holdReason ?? null,
      fields.holdDetail ?? null,
      fields.remainderOf ?? null,
      fields.changedHoursAgo ?? 0,
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
  for (const [username, displayName] of fields.blocks ?? []) {
    await pool.query(
      `INSERT INTO runs.run_plan (run_id, username, action, display_name) VALUES ($1, $2, 'block', $3)`,
      [id, username, displayName],
    );
  }
  return id;
}
