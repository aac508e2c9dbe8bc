import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type pg from 'pg';
import { pino } from 'pino';
import { register } from 'prom-client';
import { createTestDatabase, startTestNats, type TestDatabase, type TestNats } from '@usersync/devstack';
import { createPool, withTransaction } from '../db/pool.js';
import { runMigrations } from '../db/migration-runner.js';
import { connectNats } from '../nats/connect.js';
import { ensureStreams } from '../nats/jetstream-setup.js';
import { MessagingMetricNames } from '../nats/messaging-metrics.js';
import { enqueueEvent, type OutboxEvent } from './enqueue-event.js';
import { createOutboxRelay } from './outbox-relay.js';

const log = pino({ level: 'silent' });
const OWNER = 'relaytest';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(createOutboxRelay.name, () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let server: TestNats;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let dir: string;
  let n = 0;

  beforeAll(async () => {
    [db, server] = await Promise.all([createTestDatabase(), startTestNats()]);
    pool = createPool(db.url, { max: 5 });
    dir = await mkdtemp(join(tmpdir(), 'usersync-outbox-'));
    await runMigrations(pool, { owner: OWNER, dir, log });
    nc = await connectNats({ url: server.url, name: 'platform-test', log });
    js = nc.jetstream();
    jsm = await nc.jetstreamManager();
  });
  afterAll(async () => {
    await nc?.close();
    await pool?.end();
    await Promise.all([db?.drop(), server?.stop(), dir && rm(dir, { recursive: true, force: true })]);
  });

  /** A fresh stream for one test, an empty outbox, and events on its subjects. */
  async function fixture() {
    const stream = `OUTBOX_${++n}`;
    await ensureStreams(jsm, [{ name: stream, subjects: [`ob${n}.>`] }]);
    await pool.query(`DELETE FROM ${OWNER}.outbox`);
    const event = (i: number): OutboxEvent => ({
      eventId: randomUUID(),
      subject: `ob${n}.thing.happened`,
      payload: new TextEncoder().encode(`event ${i}`),
      headers: { traceparent: `00-${'0'.repeat(31)}${i}-${'0'.repeat(15)}1-01` },
    });
    const messages = async () => (await jsm.streams.info(stream)).state.messages;
    return { stream, event, messages };
  }

  it('publishes committed events once, in order, with msgID = event id and headers, and marks them sent', async () => {
    const f = await fixture();
    const events = [f.event(1), f.event(2), f.event(3)];
    await withTransaction(pool, async (c) => {
      for (const e of events) await enqueueEvent(c, OWNER, e);
    });
    const relay = createOutboxRelay({ pool, owner: OWNER, js, log, batchSize: 2 });
    expect(await relay.flushOnce()).toBe(3);
    expect(await relay.flushOnce()).toBe(0);

    const consumer = await jsm.consumers.add(f.stream, { ack_policy: AckPolicy.None });
    const got = await (await js.consumers.get(f.stream, consumer.name)).fetch({ max_messages: 3, expires: 1_000 });
    const received = [];
    for await (const m of got) received.push(m);
    expect(received.map((m) => new TextDecoder().decode(m.data))).toEqual(['event 1', 'event 2', 'event 3']);
    expect(received.map((m) => m.headers?.get('Nats-Msg-Id'))).toEqual(events.map((e) => e.eventId));
    expect(received[0]!.headers?.get('traceparent')).toBe(events[0]!.headers!.traceparent);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${OWNER}.outbox WHERE sent_at IS NULL`);
    expect(rows[0].n).toBe(0);
    const backlog = await register.getSingleMetric(MessagingMetricNames.OutboxBacklog)?.get();
    expect(backlog?.values.find((v) => v.labels.owner === OWNER)?.value).toBe(0);
  });

  it('publishes exactly once when the relay dies between publish and mark-sent', async () => {
    const f = await fixture();
    await withTransaction(pool, async (c) => {
      for (const i of [1, 2, 3]) await enqueueEvent(c, OWNER, f.event(i));
    });
    // The first relay "dies" right after JetStream stored event 2: the publish happened, the
    // mark-sent did not. Event 1 was marked; event 3 was never published.
    let publishes = 0;
    const dying: Pick<JetStreamClient, 'publish'> = {
      publish: async (...args: Parameters<JetStreamClient['publish']>) => {
        const ack = await js.publish(...args);
        if (++publishes === 2) throw new Error('process killed');
        return ack;
      },
    };
    await expect(createOutboxRelay({ pool, owner: OWNER, js: dying, log }).flushOnce()).rejects.toThrow(
      'outbox publish failed',
    );
    expect(await f.messages()).toBe(2);
    const unsent = await pool.query(`SELECT count(*)::int AS n FROM ${OWNER}.outbox WHERE sent_at IS NULL`);
    expect(unsent.rows[0].n).toBe(2);

    // A new relay resends events 2 and 3; JetStream drops the second copy of event 2.
    expect(await createOutboxRelay({ pool, owner: OWNER, js, log }).flushOnce()).toBe(2);
    expect(await f.messages()).toBe(3);

    // And again from scratch: even a full re-send of every row adds nothing to the stream.
    await pool.query(`UPDATE ${OWNER}.outbox SET sent_at = NULL`);
    expect(await createOutboxRelay({ pool, owner: OWNER, js, log }).flushOnce()).toBe(3);
    expect(await f.messages()).toBe(3);
  });

  it('never publishes the event of a rolled-back transaction', async () => {
    const f = await fixture();
    const relay = createOutboxRelay({ pool, owner: OWNER, js, log, pollMs: 100 });
    relay.start();
    await expect(
      withTransaction(pool, async (c) => {
        await enqueueEvent(c, OWNER, f.event(1));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    await sleep(400); // several polls
    await relay.stop();
    expect(await f.messages()).toBe(0);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${OWNER}.outbox`);
    expect(rows[0].n).toBe(0);
  });

  it('wakes on NOTIFY when an event commits, without waiting for the poll', async () => {
    const f = await fixture();
    const relay = createOutboxRelay({ pool, owner: OWNER, js, log, pollMs: 60_000 });
    relay.start();
    await sleep(200); // let the listener connect and the first flush finish
    const t0 = Date.now();
    await withTransaction(pool, (c) => enqueueEvent(c, OWNER, f.event(1)));
    while ((await f.messages()) === 0 && Date.now() - t0 < 5_000) await sleep(20);
    await relay.stop();
    expect(await f.messages()).toBe(1);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('lets two relays run side by side without sending a row twice', async () => {
    const f = await fixture();
    await withTransaction(pool, async (c) => {
      for (let i = 0; i < 40; i++) await enqueueEvent(c, OWNER, f.event(i));
    });
    // Count real publishes (not stream messages, which msgID would dedupe anyway).
    let publishes = 0;
    const counting: Pick<JetStreamClient, 'publish'> = {
      publish: (...args: Parameters<JetStreamClient['publish']>) => {
        publishes++;
        return js.publish(...args);
      },
    };
    const relays = [1, 2].map(() => createOutboxRelay({ pool, owner: OWNER, js: counting, log, batchSize: 5 }));
    const counts = await Promise.all(relays.map((r) => r.flushOnce()));
    expect(counts[0]! + counts[1]!).toBe(40);
    expect(publishes).toBe(40);
    expect(await f.messages()).toBe(40);
  });
});
