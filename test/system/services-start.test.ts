/**
 * Every service and the portal start from their real main.ts against real PostgreSQL, NATS and
 * S3, answer /healthz and /readyz, and stop cleanly (exit 0) on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestNats, testS3, type TestDatabase, type TestNats } from '@usersync/devstack';
import { spawnServices, waitForStatus, type SpawnedSystem } from '../support/spawn-services.js';

let db: TestDatabase;
let nats: TestNats;
let system: SpawnedSystem | undefined;
let running: SpawnedSystem['services'] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await startTestNats();
  const s3 = testS3();
  system = await spawnServices({
    env: {
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: s3.bucket,
      LOG_LEVEL: 'info',
    },
  });
  running = system.services;
}, 60_000);

afterAll(async () => {
  system?.kill();
  await nats?.stop();
  await db?.drop();
});

describe('the whole system', () => {
  it('starts every service, each ready on /readyz with its dependencies checked', async () => {
    for (const r of running) {
      const res = await waitForStatus(`${r.healthUrl}/readyz`, 200, 45_000).catch((err: Error) => {
        throw new Error(`${r.name}: ${err.message}\n${r.output.join('')}`);
      });
      const body = (await res.json()) as { status: string; checks: Record<string, string> };
      expect(body.status, r.name).toBe('ok');
      expect(body.checks.postgres, r.name).toBe('ok');
      expect((await fetch(`${r.healthUrl}/healthz`)).status, r.name).toBe(200);
    }
  }, 60_000);

  it('exposes Prometheus metrics on every process', async () => {
    for (const r of running) {
      const text = await (await fetch(`${r.healthUrl}/metrics`)).text();
      expect(text, r.name).toContain('process_cpu_user_seconds_total');
    }
  });

  it('stops every service cleanly on SIGTERM', async () => {
    for (const r of running) r.child.kill('SIGTERM');
    for (const r of running) {
      const code = await r.exit;
      expect(code, `${r.name}\n${r.output.join('').slice(-2000)}`).toBe(0);
      expect(r.output.join(''), r.name).toContain('shutdown complete');
    }
  }, 30_000);
});
