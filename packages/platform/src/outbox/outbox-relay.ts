/**
 * The outbox relay: publishes committed outbox rows to JetStream and marks them sent. A crash between
 * publish and mark-sent leaves the row unsent, so it is published again on restart; its msgID (the
 * event id) makes JetStream drop that copy within the stream's duplicate window (2 min by default).
 * A relay down for longer than the window may deliver a duplicate, which idempotent consumers absorb.
 */
import { headers as natsHeaders, type JetStreamClient } from 'nats';
import type pg from 'pg';
import type { Logger } from 'pino';
import { RetryableError } from '../errors.js';
import { quoteIdent } from '../db/identifiers.js';
import { withTransaction } from '../db/pool.js';
import { outboxMetrics } from '../nats/messaging-metrics.js';
import { outboxChannel } from './enqueue-event.js';

/** Options for {@link createOutboxRelay}. */
export interface OutboxRelayOptions {
  pool: pg.Pool;
  owner: string;
  /** Only `publish` is used. */
  js: Pick<JetStreamClient, 'publish'>;
  log: Logger;
  /** Poll interval, the fallback when a NOTIFY is missed (default 1 s). */
  pollMs?: number;
  /** Rows per transaction (default 100). */
  batchSize?: number;
}

/** A relay for one owner schema. */
export interface OutboxRelay {
  /** Starts listening and polling in the background. */
  start(): void;
  /** Stops listening and polling and waits for a flush in progress. */
  stop(): Promise<void>;
  /** Publishes every unsent row now; resolves to the number published. */
  flushOnce(): Promise<number>;
}

interface OutboxRow {
  id: string;
  event_id: string;
  subject: string;
  payload: Buffer;
  headers: Record<string, string> | null;
}

/** Creates the relay of `owner`'s outbox. Several relays may run: SKIP LOCKED keeps them off each other's rows. */
export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const table = `${quoteIdent(opts.owner)}.outbox`;
  const channel = outboxChannel(opts.owner);
  const batchSize = opts.batchSize ?? 100;
  const pollMs = opts.pollMs ?? 1_000;
  const log = opts.log.child({ owner: opts.owner, component: 'outbox-relay' });
  const metrics = outboxMetrics();

  /** One batch in one transaction: the row locks are what keep a second relay from sending it concurrently. */
  const publishBatch = () =>
    withTransaction(opts.pool, async (client) => {
      const { rows } = await client.query<OutboxRow>(
        `SELECT id, event_id, subject, payload, headers FROM ${table}
         WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      const sent: string[] = [];
      let failure: unknown;
      for (const row of rows) {
        try {
          const ack = await opts.js.publish(row.subject, row.payload, { msgID: row.event_id, headers: toHeaders(row) });
          if (ack.duplicate) log.debug({ eventId: row.event_id }, 'outbox row was already published');
          sent.push(row.id);
        } catch (err) {
          // Stop at the first failure to keep order; rows published so far are still marked below.
          failure = err;
          break;
        }
      }
      if (sent.length > 0)
        await client.query(`UPDATE ${table} SET sent_at = now() WHERE id = ANY($1::bigint[])`, [sent]);
      metrics.published.inc({ owner: opts.owner }, sent.length);
      if (failure) {
        // Returning (not throwing) commits the rows already marked; the caller reports the failure.
        return { count: sent.length, full: false, failure };
      }
      return { count: sent.length, full: rows.length === batchSize, failure: undefined };
    });

  const updateBacklog = async () => {
    const { rows } = await opts.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE sent_at IS NULL`);
    metrics.backlog.set({ owner: opts.owner }, Number(rows[0]?.n ?? 0));
  };

  let flushing: Promise<number> | undefined;
  let again = false;
  /** Single-flight: a wake-up during a flush schedules exactly one more flush. */
  const flushOnce = async (): Promise<number> => {
    if (flushing) {
      again = true;
      return flushing;
    }
    flushing = (async () => {
      let total = 0;
      try {
        do {
          again = false;
          for (;;) {
            const batch = await publishBatch();
            total += batch.count;
            if (batch.failure)
              throw new RetryableError('OUTBOX_PUBLISH_FAILED', 'outbox publish failed', { cause: batch.failure });
            if (!batch.full) break;
          }
        } while (again);
        return total;
      } finally {
        flushing = undefined;
        await updateBacklog().catch((err: unknown) => log.warn({ err }, 'outbox backlog query failed'));
        if (total > 0) log.debug({ count: total }, 'outbox rows published');
      }
    })();
    return flushing;
  };

  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let listener: pg.PoolClient | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const wake = () => {
    if (!running) return;
    flushOnce().catch((err: unknown) => log.warn({ err }, 'outbox flush failed; will retry'));
  };

  /** A dedicated connection LISTENs; on failure the poll keeps the relay going and the listener reconnects. */
  const listen = async () => {
    let client: pg.PoolClient | undefined;
    const retry = (err: unknown) => {
      log.warn({ err }, 'outbox listener failed; polling until it reconnects');
      if (running) retryTimer = setTimeout(() => void listen(), pollMs);
    };
    try {
      client = await opts.pool.connect();
      const c = client;
      c.on('notification', wake);
      c.on('error', (err) => {
        if (listener !== c) return;
        listener = undefined;
        c.release(err);
        retry(err);
      });
      listener = c;
      await c.query(`LISTEN ${quoteIdent(channel)}`);
      if (!running && listener === c) {
        listener = undefined;
        c.release();
      }
    } catch (err) {
      if (client && listener === client) {
        listener = undefined;
        client.release(err as Error);
      }
      retry(err);
    }
  };

  return {
    flushOnce,
    start() {
      if (running) return;
      running = true;
      void listen();
      timer = setInterval(wake, pollMs);
      wake();
      log.info({ pollMs }, 'outbox relay started');
    },
    async stop() {
      running = false;
      clearInterval(timer);
      clearTimeout(retryTimer);
      const client = listener;
      listener = undefined;
      if (client) {
        await client.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => undefined);
        client.release();
      }
      await flushing?.catch(() => undefined);
      log.info('outbox relay stopped');
    },
  };
}

function toHeaders(row: OutboxRow) {
  if (!row.headers) return undefined;
  const h = natsHeaders();
  for (const [k, v] of Object.entries(row.headers)) h.set(k, v);
  return h;
}
