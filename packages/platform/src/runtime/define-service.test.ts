import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import Fastify from 'fastify';
import { decodeEvent, newEvent } from '@usersync/contracts';
import { createTestDatabase, startTestNats, type TestDatabase, type TestNats } from '@usersync/devstack';
import { withTransaction } from '../db/pool.js';
import { outboxOf } from '../outbox/typed-outbox.js';
import { registerOpsRoutes } from '../http/ops-routes.js';
import { defineService } from './define-service.js';

const log = pino({ level: 'silent' });
const STREAM = { name: 'DECLARED_RUNS', subjects: ['sync.run.>'] };

describe(defineService.name, () => {
  let db: TestDatabase;
  let nats: TestNats;
  const migrationsDir = mkdtempSync(join(tmpdir(), 'declared-migrations-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
  });
  afterAll(async () => {
    await nats?.stop();
    await db?.drop();
  });

  it('opens what is declared, relays the typed outbox, serves /readyz, and stops in order', async () => {
    const order: string[] = [];
    const received: number[] = [];
    const app = await defineService(
      {
        name: 'declared-test',
        log,
        database: { url: db.url, owner: { name: 'declared', migrationsDir } },
        messaging: { url: nats.url, streams: [STREAM] },
        relayOutbox: true,
      },
      ({ pool, checks }, readiness) => {
        expect(Object.keys(checks).sort()).toEqual(['nats', 'postgres']);
        const http = Fastify();
        registerOpsRoutes(http, readiness);
        http.post('/queue', async () => {
          const event = newEvent('sync.run.queued', { runId: 41, reapply: false, planOnly: false });
          await withTransaction(pool, (client) => outboxOf('declared').enqueue(client, 'sync.run.queued', event));
          return { ok: true };
        });
        return {
          http: { port: 0, host: '127.0.0.1', server: http },
          consumers: [
            {
              stream: STREAM.name,
              durable: 'declared-test',
              filterSubject: 'sync.run.queued',
              handler: async (msg) => {
                received.push(decodeEvent('sync.run.queued', msg.data).runId);
              },
            },
          ],
          tasks: [{ start: () => order.push('task start'), stop: () => void order.push('task stop') }],
          close: [() => void order.push('close')],
        };
      },
    );
    await app.start();
    const base = `http://127.0.0.1:${app.ports().http}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    await fetch(`${base}/queue`, { method: 'POST' });
    await expect.poll(() => received, { timeout: 10_000 }).toEqual([41]);
    await app.stop();
    expect(order).toEqual(['task start', 'task stop', 'close']);
    await expect(fetch(`${base}/readyz`)).rejects.toThrow();
  });

  it('closes what it opened when building the edges fails', async () => {
    const before = await countConnections(db, 'declared-failing');
    await expect(
      defineService({ name: 'declared-failing', log, database: { url: db.url } }, () => {
        throw new Error('bad wiring');
      }),
    ).rejects.toThrow('bad wiring');
    await expect.poll(() => countConnections(db, 'declared-failing')).toBe(before);
  });

  it('refuses an outbox relay without an owner schema', async () => {
    await expect(
      defineService(
        {
          name: 'declared-no-owner',
          log,
          database: { url: db.url },
          messaging: { url: nats.url, streams: [] },
          relayOutbox: true,
        },
        () => ({}),
      ),
    ).rejects.toThrow(/relayOutbox needs a database owner/);
  });
});

async function countConnections(db: TestDatabase, app: string): Promise<number> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
      [app],
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}
