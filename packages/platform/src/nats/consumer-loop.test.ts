import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JetStreamClient, JetStreamManager, JsMsg, NatsConnection } from 'nats';
import { pino } from 'pino';
import { register } from 'prom-client';
import { startTestNats, type TestNats } from '@usersync/devstack';
import { RetryableError, ValidationError } from '../errors.js';
import { connectNats } from './connect.js';
import { ensureConsumer, ensureStreams } from './jetstream-setup.js';
import { runConsumer, type HandlerContext } from './consumer-loop.js';
import { MessagingMetricNames } from './messaging-metrics.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** Acks are fire-and-forget, so the server may count them a moment after the handler returned. */
async function settled(f: { info(): Promise<{ num_ack_pending: number }> }): Promise<void> {
  const end = Date.now() + 5_000;
  while ((await f.info()).num_ack_pending !== 0) {
    if (Date.now() > end) throw new Error('messages still await ack');
    await sleep(20);
  }
}

/** A logger whose JSON lines the test can read. */
function captureLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}

let n = 0;
describe(runConsumer.name, () => {
  let server: TestNats;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    server = await startTestNats();
    nc = await connectNats({ url: server.url, name: 'platform-test', log: pino({ level: 'silent' }) });
    js = nc.jetstream();
    jsm = await nc.jetstreamManager();
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  /** A fresh stream and durable with `count` messages waiting. */
  async function fixture(count: number, consumer: { ackWaitMs?: number; maxDeliver?: number } = {}) {
    const stream = `LOOP_${++n}`;
    const durable = `loop-worker-${n}`;
    await ensureStreams(jsm, [{ name: stream, subjects: [`loop${n}.>`] }]);
    await ensureConsumer(jsm, { stream, durable, ...consumer });
    for (let i = 0; i < count; i++)
      await js.publish(`loop${n}.item`, new TextEncoder().encode(String(i)), { msgID: `${stream}-${i}` });
    const info = () => jsm.consumers.info(stream, durable);
    return { stream, durable, info };
  }

  const outcomes = async (stream: string, consumer: string) => {
    const metric = await register.getSingleMetric(MessagingMetricNames.ConsumerMessages)?.get();
    const mine = metric?.values.filter((v) => v.labels.stream === stream && v.labels.consumer === consumer) ?? [];
    return Object.fromEntries(mine.map((v) => [v.labels.outcome, v.value]));
  };

  it('acks a message whose handler succeeds', async () => {
    const f = await fixture(2);
    const seen: string[] = [];
    const loop = await runConsumer({
      js,
      stream: f.stream,
      durable: f.durable,
      log: pino({ level: 'silent' }),
      handler: async (m) => void seen.push(new TextDecoder().decode(m.data)),
    });
    await until(() => seen.length === 2);
    await loop.stop();
    expect(seen.sort()).toEqual(['0', '1']);
    await settled(f);
    expect((await f.info()).num_pending).toBe(0);
    expect(await outcomes(f.stream, f.durable)).toEqual({ ack: 2 });
  });

  it('terms a message whose handler throws a validation error, without redelivery', async () => {
    const f = await fixture(1, { ackWaitMs: 1_000 });
    const { log, lines } = captureLog();
    let calls = 0;
    const loop = await runConsumer({
      js,
      stream: f.stream,
      durable: f.durable,
      log,
      handler: async () => {
        calls++;
        throw new ValidationError('TEST_BAD', 'bad input');
      },
    });
    await until(() => calls === 1);
    await sleep(1_500); // past ack wait: a nak or a missing ack would have redelivered by now
    await loop.stop();
    expect(calls).toBe(1);
    await settled(f);
    expect(lines.find((l) => l.msg === 'message dropped')).toMatchObject({
      level: 50,
      deliveryCount: 1,
      stream: f.stream,
    });
    expect(await outcomes(f.stream, f.durable)).toEqual({ term: 1 });
  });

  it('naks a retryable failure with backoff and handles the redelivery', async () => {
    const f = await fixture(1);
    const calls: Array<{ at: number; ctx: HandlerContext }> = [];
    const loop = await runConsumer({
      js,
      stream: f.stream,
      durable: f.durable,
      log: pino({ level: 'silent' }),
      backoffMs: () => 400,
      handler: async (_m, ctx) => {
        calls.push({ at: Date.now(), ctx });
        if (calls.length === 1) throw new RetryableError('TEST_FLAKY', 'try later');
      },
    });
    await until(() => calls.length === 2);
    await loop.stop();
    expect(calls.map((c) => c.ctx.deliveryCount)).toEqual([1, 2]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(350);
    await settled(f);
    expect(await outcomes(f.stream, f.durable)).toEqual({ nak: 1, ack: 1 });
    const redeliveries = await register.getSingleMetric(MessagingMetricNames.ConsumerRedeliveries)?.get();
    expect(redeliveries?.values.find((v) => v.labels.stream === f.stream)?.value).toBe(1);
  });

  it('terms a message that keeps failing once maxDeliver is reached', async () => {
    const f = await fixture(1, { maxDeliver: 5 });
    const { log, lines } = captureLog();
    const counts: number[] = [];
    const loop = await runConsumer({
      js,
      stream: f.stream,
      durable: f.durable,
      log,
      maxDeliver: 3,
      backoffMs: () => 50,
      handler: async (_m, ctx) => {
        counts.push(ctx.deliveryCount);
        throw new Error('unexpected failure'); // internal errors retry like retryable ones, then drop
      },
    });
    await until(() => counts.length === 3);
    await sleep(500);
    await loop.stop();
    expect(counts).toEqual([1, 2, 3]);
    await settled(f);
    expect(lines.filter((l) => l.msg === 'message will be retried')).toHaveLength(2);
    expect(lines.find((l) => l.msg === 'message dropped')).toMatchObject({
      level: 50,
      deliveryCount: 3,
      maxDeliver: 3,
    });
  });

  it('keeps a slow handler from redelivery with working() when ack wait is short', async () => {
    const f = await fixture(1, { ackWaitMs: 1_000 });
    let calls = 0;
    let done = false;
    // Default heartbeat: a third of the consumer's 1 s ack wait.
    const loop = await runConsumer({
      js,
      stream: f.stream,
      durable: f.durable,
      log: pino({ level: 'silent' }),
      concurrency: 2,
      handler: async () => {
        calls++;
        await sleep(2_500);
        done = true;
      },
    });
    await until(() => done);
    await sleep(1_200);
    await loop.stop();
    expect(calls).toBe(1);
    expect((await f.info()).num_redelivered).toBe(0);
  });

  it('never runs more handlers at once than its concurrency', async () => {
    const f = await fixture(9);
    let active = 0;
    let maxActive = 0;
    let handled = 0;
    const loop = await runConsumer({
      js,
      stream: f.stream,
      durable: f.durable,
      log: pino({ level: 'silent' }),
      concurrency: 3,
      handler: async () => {
        maxActive = Math.max(maxActive, ++active);
        await sleep(150);
        active--;
        handled++;
      },
    });
    await until(() => handled === 9);
    await loop.stop();
    expect(maxActive).toBe(3);
    await settled(f);
  });

  it('stop() stops pulling and waits for in-flight handlers to settle their messages', async () => {
    const f = await fixture(3);
    const started: JsMsg[] = [];
    let finished = 0;
    const loop = await runConsumer({
      js,
      stream: f.stream,
      durable: f.durable,
      log: pino({ level: 'silent' }),
      handler: async (m) => {
        started.push(m);
        await sleep(600);
        finished++;
      },
    });
    await until(() => started.length === 1);
    const t0 = Date.now();
    await loop.stop();
    expect(finished).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(started).toHaveLength(1);
    await settled(f);
    expect((await f.info()).num_pending).toBe(2);
  });

  it('stop() returns promptly while a pull is waiting for messages', async () => {
    const f = await fixture(0);
    const loop = await runConsumer({
      js,
      stream: f.stream,
      durable: f.durable,
      log: pino({ level: 'silent' }),
      fetchExpiresMs: 30_000,
      handler: async () => undefined,
    });
    await sleep(100);
    const t0 = Date.now();
    await loop.stop();
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});
