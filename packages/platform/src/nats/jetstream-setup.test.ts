import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanos, StorageType, type JetStreamManager, type NatsConnection } from 'nats';
import { pino } from 'pino';
import { startTestNats, type TestNats } from '@usersync/devstack';
import { connectNats } from './connect.js';
import { ensureConsumer, ensureStreams } from './jetstream-setup.js';

const log = pino({ level: 'silent' });

describe(ensureStreams.name, () => {
  let server: TestNats;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    server = await startTestNats();
    nc = await connectNats({ url: server.url, name: 'platform-test', log });
    jsm = await nc.jetstreamManager();
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('creates missing streams with file storage and a 2 minute duplicate window, then changes nothing', async () => {
    const specs = [
      { name: 'SETUP_RUNS', subjects: ['setup.run.>'] },
      { name: 'SETUP_USERS', subjects: ['setup.user.>'], duplicateWindowMs: 30_000 },
    ];
    expect(await ensureStreams(jsm, specs)).toEqual([
      { name: 'SETUP_RUNS', action: 'created' },
      { name: 'SETUP_USERS', action: 'created' },
    ]);
    expect(await ensureStreams(jsm, specs)).toEqual([
      { name: 'SETUP_RUNS', action: 'unchanged' },
      { name: 'SETUP_USERS', action: 'unchanged' },
    ]);
    const info = await jsm.streams.info('SETUP_RUNS');
    expect(info.config.storage).toBe(StorageType.File);
    expect(info.config.duplicate_window).toBe(nanos(120_000));
    expect((await jsm.streams.info('SETUP_USERS')).config.duplicate_window).toBe(nanos(30_000));
  });

  it('updates a stream whose subjects or duplicate window drifted, keeping its messages', async () => {
    await ensureStreams(jsm, [{ name: 'SETUP_DRIFT', subjects: ['drift.a.>'] }]);
    const js = nc.jetstream();
    await js.publish('drift.a.one', new Uint8Array([1]));
    const outcome = await ensureStreams(jsm, [
      { name: 'SETUP_DRIFT', subjects: ['drift.a.>', 'drift.b.>'], duplicateWindowMs: 60_000 },
    ]);
    expect(outcome).toEqual([{ name: 'SETUP_DRIFT', action: 'updated' }]);
    const info = await jsm.streams.info('SETUP_DRIFT');
    expect(info.config.subjects).toEqual(['drift.a.>', 'drift.b.>']);
    expect(info.config.duplicate_window).toBe(nanos(60_000));
    expect(info.state.messages).toBe(1);
  });
});

describe(ensureConsumer.name, () => {
  let server: TestNats;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    server = await startTestNats();
    nc = await connectNats({ url: server.url, name: 'platform-test', log });
    jsm = await nc.jetstreamManager();
    await ensureStreams(jsm, [{ name: 'CONS', subjects: ['cons.>'] }]);
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('creates a durable explicit-ack pull consumer once and updates it when settings change', async () => {
    const spec = {
      stream: 'CONS',
      durable: 'cons-worker',
      filterSubject: 'cons.run.>',
      ackWaitMs: 2_000,
      maxDeliver: 3,
    };
    expect(await ensureConsumer(jsm, spec)).toEqual({ name: 'cons-worker', action: 'created' });
    expect(await ensureConsumer(jsm, spec)).toEqual({ name: 'cons-worker', action: 'unchanged' });
    expect(await ensureConsumer(jsm, { ...spec, ackWaitMs: 5_000 })).toEqual({
      name: 'cons-worker',
      action: 'updated',
    });
    const info = await jsm.consumers.info('CONS', 'cons-worker');
    expect(info.config).toMatchObject({ ack_policy: 'explicit', ack_wait: nanos(5_000), max_deliver: 3 });
    expect(info.config.filter_subject).toBe('cons.run.>');
    expect(info.config.deliver_subject).toBeUndefined();
  });

  it('treats a consumer without a filter as unchanged on the second call', async () => {
    await ensureConsumer(jsm, { stream: 'CONS', durable: 'cons-all' });
    expect(await ensureConsumer(jsm, { stream: 'CONS', durable: 'cons-all' })).toEqual({
      name: 'cons-all',
      action: 'unchanged',
    });
  });
});
