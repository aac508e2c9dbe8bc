/**
 * Every service and the portal start from their real main.ts against real PostgreSQL, NATS and
 * S3, answer /healthz and /readyz, and stop cleanly (exit 0) on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SERVICES,
  createTestDatabase,
  freePort,
  startTestNats,
  testS3,
  type TestDatabase,
  type TestNats,
} from '@usersync/devstack';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Running {
  name: string;
  child: ChildProcess;
  output: string[];
  healthUrl: string;
  exit: Promise<number | null>;
}

let db: TestDatabase;
let nats: TestNats;
const running: Running[] = [];

async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === status) return res;
      last = `${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered ${status} (last: ${last})`);
}

beforeAll(async () => {
  db = await createTestDatabase();
  nats = await startTestNats();
  const s3 = testS3();
  const ports: Record<string, Record<string, number>> = {};
  for (const svc of SERVICES) {
    ports[svc.name] = {};
    for (const key of Object.keys(svc.ports)) ports[svc.name]![key] = await freePort();
  }
  const peers = {
    RUN_SERVICE_ADDR: `127.0.0.1:${ports['ingest-gateway']!.GRPC_PORT}`,
    KEY_SERVICE_ADDR: `127.0.0.1:${ports['key-service']!.GRPC_PORT}`,
    LOOKUP_SERVICE_ADDR: `127.0.0.1:${ports['lookup-service']!.GRPC_PORT}`,
  };
  for (const svc of SERVICES) {
    const own = ports[svc.name]!;
    const env = {
      PATH: process.env.PATH,
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: s3.bucket,
      LOG_LEVEL: 'info',
      ...peers,
      ...Object.fromEntries(Object.entries(own).map(([k, v]) => [k, String(v)])),
    };
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', `${svc.dir}/src/main.ts`], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    const healthPort = own.HTTP_PORT ?? own.HEALTH_PORT;
    running.push({
      name: svc.name,
      child,
      output,
      healthUrl: `http://127.0.0.1:${healthPort}`,
      exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    });
  }
}, 60_000);

afterAll(async () => {
  for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
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
