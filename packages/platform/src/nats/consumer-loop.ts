/**
 * The consumer loop every worker runs (house style §9.4, hardened): pull only as many messages as
 * there are free handler slots, so nothing waits in a client buffer while its ack timer runs; settle
 * each message by the error table in errors.ts; heartbeat with working() while a handler runs.
 */
import type { Consumer, JetStreamClient, JsMsg } from 'nats';
import type { Logger } from 'pino';
import { errorEdges } from '../errors.js';
import { consumerMetrics } from './messaging-metrics.js';

/** What a handler gets besides the message. */
export interface HandlerContext {
  /** Child logger bound to subject, stream, seq, eventId and deliveryCount. */
  log: Logger;
  /** 1 on the first delivery. */
  deliveryCount: number;
}

/** Handles one message; throwing decides ack / nak / term through `errorEdges`. */
export type MessageHandler = (msg: JsMsg, ctx: HandlerContext) => Promise<void>;

/** Options for {@link runConsumer}. */
export interface ConsumerLoopOptions {
  js: JetStreamClient;
  stream: string;
  durable: string;
  handler: MessageHandler;
  log: Logger;
  /** Handlers running at once (default 1). */
  concurrency?: number;
  /** Delay before redelivery after a retryable failure (default 1 s doubling to 60 s). */
  backoffMs?: (deliveryCount: number) => number;
  /** Deliveries before a failing message is termed (default and upper bound: the consumer's max_deliver). */
  maxDeliver?: number;
  /** working() interval while a handler runs (default a third of the consumer's ack wait). */
  workingEveryMs?: number;
  /** How long one pull waits for messages (default 5 s; JetStream's minimum is 1 s). */
  fetchExpiresMs?: number;
}

/** A running consumer loop. */
export interface ConsumerLoop {
  /** Stops pulling, waits for in-flight handlers to settle their messages, then resolves. */
  stop(): Promise<void>;
}

/** Exponential backoff: 1 s, 2 s, 4 s … capped at 60 s. */
export const defaultBackoffMs = (deliveryCount: number): number => Math.min(1_000 * 2 ** (deliveryCount - 1), 60_000);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts consuming `durable` on `stream`. Resolves once the consumer is found (a missing consumer
 * rejects here, at startup), then runs in the background until stop().
 */
export async function runConsumer(opts: ConsumerLoopOptions): Promise<ConsumerLoop> {
  const consumer = await opts.js.consumers.get(opts.stream, opts.durable);
  const info = await consumer.info(true);
  const serverMax = info.config.max_deliver ?? -1;
  // Past the server's max_deliver the message is never delivered again, so the loop must term by then.
  const maxDeliver = serverMax > 0 ? Math.min(opts.maxDeliver ?? serverMax, serverMax) : (opts.maxDeliver ?? 5);
  const ackWaitMs = (info.config.ack_wait ?? 30e9) / 1e6;
  const settings = {
    concurrency: Math.max(1, opts.concurrency ?? 1),
    backoffMs: opts.backoffMs ?? defaultBackoffMs,
    workingEveryMs: opts.workingEveryMs ?? Math.max(100, Math.floor(ackWaitMs / 3)),
    fetchExpiresMs: Math.max(1_000, opts.fetchExpiresMs ?? 5_000),
    maxDeliver,
  };
  const labels = { stream: opts.stream, consumer: opts.durable };
  const metrics = consumerMetrics();
  metrics.lag.set(labels, info.num_pending);
  const log = opts.log.child(labels);

  const inFlight = new Set<Promise<void>>();
  let slotFreed: (() => void) | undefined;
  let stopping = false;
  let batch: { stop(): void } | undefined;

  const handle = async (m: JsMsg): Promise<void> => {
    const deliveryCount = m.info.deliveryCount;
    metrics.lag.set(labels, m.info.pending);
    if (deliveryCount > 1) metrics.redeliveries.inc(labels);
    const eventId = m.headers?.get('Nats-Msg-Id') || undefined;
    const mlog = log.child({ subject: m.subject, seq: m.seq, eventId, deliveryCount });
    const started = Date.now();
    // Without heartbeats a handler longer than ack_wait would be redelivered to another replica mid-flight.
    const heartbeat = setInterval(() => m.working(), settings.workingEveryMs);
    try {
      await opts.handler(m, { log: mlog, deliveryCount });
      m.ack();
      metrics.handled.inc({ ...labels, outcome: 'ack' });
      mlog.info({ durationMs: Date.now() - started }, 'message handled');
    } catch (err) {
      settle(m, err, mlog, deliveryCount);
    } finally {
      clearInterval(heartbeat);
    }
  };

  const settle = (m: JsMsg, err: unknown, mlog: Logger, deliveryCount: number): void => {
    const action = errorEdges(err).queue;
    if (action === 'ack') {
      m.ack();
      metrics.handled.inc({ ...labels, outcome: 'ack' });
      mlog.info({ err }, 'message acked after handler error');
    } else if (action === 'nak' && deliveryCount < settings.maxDeliver) {
      const delayMs = settings.backoffMs(deliveryCount);
      m.nak(delayMs);
      metrics.handled.inc({ ...labels, outcome: 'nak' });
      mlog.warn({ err, delayMs }, 'message will be retried');
    } else {
      m.term();
      metrics.handled.inc({ ...labels, outcome: 'term' });
      mlog.error({ err, maxDeliver: settings.maxDeliver }, 'message dropped');
    }
  };

  const start = (m: JsMsg): void => {
    const p = handle(m).finally(() => {
      inFlight.delete(p);
      slotFreed?.();
    });
    inFlight.add(p);
  };

  const waitForSlot = async (): Promise<void> => {
    while (!stopping && inFlight.size >= settings.concurrency) {
      await new Promise<void>((resolve) => (slotFreed = resolve));
    }
  };

  const pullLoop = async (consumerRef: Consumer): Promise<void> => {
    while (!stopping) {
      await waitForSlot();
      if (stopping) break;
      try {
        // Ask for exactly the free slots: every message received can start at once.
        const messages = await consumerRef.fetch({
          max_messages: settings.concurrency - inFlight.size,
          expires: settings.fetchExpiresMs,
        });
        batch = messages;
        let received = 0;
        for await (const m of messages) {
          received++;
          start(m);
        }
        if (received === 0 && !stopping) metrics.lag.set(labels, 0);
      } catch (err) {
        if (stopping) break;
        log.warn({ err }, 'fetch failed; retrying');
        await sleep(1_000);
      } finally {
        batch = undefined;
      }
    }
  };

  const loop = pullLoop(consumer);
  log.info({ concurrency: settings.concurrency, maxDeliver }, 'consumer started');
  return {
    async stop() {
      stopping = true;
      batch?.stop();
      slotFreed?.();
      await loop;
      // Handlers settle their own messages; waiting here is what makes shutdown lose no work.
      await Promise.allSettled([...inFlight]);
      log.info('consumer stopped');
    },
  };
}
