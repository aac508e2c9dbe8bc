import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger/index.js';
import { createHealthServer, type HealthChecks, type HealthServer } from './index.js';

const log = createLogger({ service: 'health-test', level: 'silent' });
let server: HealthServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(checks: HealthChecks, checkTimeoutMs = 200) {
  server = createHealthServer({ port: 0, host: '127.0.0.1', checks, log, checkTimeoutMs });
  const port = await server.listen();
  return async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
}

describe(createHealthServer.name, () => {
  it('answers /healthz and a /readyz listing every passing check', async () => {
    const get = await start({ db: async () => 1, nats: () => Promise.resolve() });
    expect(await get('/healthz')).toMatchObject({ status: 200 });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'ok', checks: { db: 'ok', nats: 'ok' } });
  });

  it('answers 503 naming a failing check without its error message', async () => {
    const get = await start({
      db: () => Promise.reject(new Error('password authentication failed for user "secret"')),
      s3: async () => undefined,
    });
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({ status: 'unavailable', checks: { db: 'failed', s3: 'ok' } });
    expect(ready.text).not.toContain('secret');
  });

  it('counts a check that does not answer in time as failed', async () => {
    const get = await start({ nats: () => new Promise(() => undefined) }, 100);
    const started = Date.now();
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toMatchObject({ checks: { nats: 'timeout' } });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('answers 503 after notReady() while /healthz stays 200', async () => {
    const get = await start({ db: async () => 1 });
    server?.notReady();
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toMatchObject({ status: 'shutting_down' });
    expect((await get('/healthz')).status).toBe(200);
  });

  it('serves Prometheus text on /metrics and 404 elsewhere', async () => {
    const get = await start({});
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    expect(metrics.text).toMatch(/^# HELP process_cpu_user_seconds_total/m);
    expect((await get('/nope')).status).toBe(404);
  });
});
