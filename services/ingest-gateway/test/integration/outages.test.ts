/**
 * S3, PostgreSQL or NATS down: the upload API answers 503 with a plain message and leaves nothing
 * half-recorded (no run-file row, no outbox row). Each dependency is taken down for the gateway
 * only (TCP proxies; NATS last, since its server is this file's own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { controlFile, startSync, upload, usersFile } from '../support/fixtures.js';

let env: GatewayEnv;

beforeAll(async () => {
  env = await startGatewayEnv();
});
afterAll(async () => {
  await env?.stop();
});

async function snapshot() {
  const files = await env.pool.query('SELECT count(*)::int AS n FROM runs.run_file');
  const outbox = await env.pool.query('SELECT count(*)::int AS n FROM runs.outbox');
  const runs = await env.pool.query('SELECT count(*)::int AS n FROM runs.run');
  return { files: files.rows[0].n as number, outbox: outbox.rows[0].n as number, runs: runs.rows[0].n as number };
}

const UNAVAILABLE = /^Service temporarily unavailable/;

describe('dependency outages', () => {
  beforeAll(async () => {
    expect((await upload(env, '_control', controlFile(['users', 'staff']))).status).toBe(200);
  });

  it('answers 503 when S3 is down, recording nothing', async () => {
    const before = await snapshot();
    await env.s3Proxy.down();
    try {
      const res = await upload(env, 'users', usersFile(50));
      expect(res.status).toBe(503);
      expect(res.text).toMatch(UNAVAILABLE);
    } finally {
      await env.s3Proxy.up();
    }
    expect(await snapshot()).toEqual(before);
    // And the same upload works once S3 is back.
    expect((await upload(env, 'users', usersFile(50))).status).toBe(200);
  });

  it('answers 503 when PostgreSQL is down, for uploads and start-sync, recording nothing', async () => {
    const before = await snapshot();
    await env.pgProxy.down();
    try {
      const res = await upload(env, 'staff', usersFile(5, 's'));
      expect(res.status).toBe(503);
      expect(res.text).toMatch(UNAVAILABLE);
      expect((await startSync(env)).status).toBe(503);
    } finally {
      await env.pgProxy.up();
    }
    expect(await snapshot()).toEqual(before);
  });

  it('answers 503 when NATS is down, for uploads and start-sync, recording nothing', async () => {
    const before = await snapshot();
    await env.nats.stop();
    const res = await upload(env, 'staff', usersFile(5, 's'));
    expect(res.status).toBe(503);
    expect(res.text).toMatch(UNAVAILABLE);
    const start = await startSync(env, '/json');
    expect(start.status).toBe(503);
    expect(await snapshot()).toEqual(before);
  });
});
