/**
 * The review-pages bench's system: key-service, ingest-gateway, lookup-service and the portal (web), each a real
 * process from its src/main.ts (pipeline-support's startService), on one database, a private nats-server and an
 * in-process s3rver; and what the bench does through the portal: sign in with the login form, time GETs.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { streams } from '@usersync/cli';
import { runsV1 } from '@usersync/contracts';
import { createGrpcClient, createObjectStore, unary } from '@usersync/platform';
import { freePort, startNatsServer, startS3Server } from '@usersync/devstack';
import { startService, until } from './pipeline-support.js';

export const BENCH_ADMIN = { email: 'bench@example.org', password: 'review pages bench password' };

export interface Stack {
  /** The portal's base URL. */
  portal: string;
  /** RunService (ingest-gateway) gRPC address. */
  runService: string;
  stop(): Promise<void>;
}

/** Starts the four processes the review pages need and waits for every /readyz. */
export async function startStack(dbUrl: string, work: string, log: Logger): Promise<Stack> {
  const s3 = await startS3Server({ directory: join(work, 's3') });
  const nats = await startNatsServer({ storeDir: join(work, 'nats') });
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await nats.stop();
    await s3.stop();
  };
  try {
    await streams(nats.url, log); // `usersync setup`'s JetStream streams (the outbox relays publish there)
    await createObjectStore({ ...s3, bucket: 'bench' }).ensureBucket();
    const shared = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: dbUrl,
      NATS_URL: nats.url,
      LOG_LEVEL: 'warn',
    };
    const s3Env = {
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: 'bench',
    };
    const [keyGrpc, keyHealth, gwHttp, gwGrpc, lookupGrpc, lookupHealth, webHttp] = await Promise.all(
      Array.from({ length: 7 }, () => freePort()),
    );
    children.push(
      startService('key-service', 'services/key-service', {
        ...shared,
        GRPC_PORT: String(keyGrpc),
        HEALTH_PORT: String(keyHealth),
      }),
      startService('ingest-gateway', 'services/ingest-gateway', {
        ...shared,
        ...s3Env,
        HTTP_PORT: String(gwHttp),
        GRPC_PORT: String(gwGrpc),
        KEY_SERVICE_ADDR: `127.0.0.1:${keyGrpc}`,
      }),
      startService('lookup-service', 'services/lookup-service', {
        ...shared,
        GRPC_PORT: String(lookupGrpc),
        HEALTH_PORT: String(lookupHealth),
      }),
      startService('web', 'web', {
        ...shared,
        HTTP_PORT: String(webHttp),
        PUBLIC_URL: `http://127.0.0.1:${webHttp}`,
        RUN_SERVICE_ADDR: `127.0.0.1:${gwGrpc}`,
        KEY_SERVICE_ADDR: `127.0.0.1:${keyGrpc}`,
        LOOKUP_SERVICE_ADDR: `127.0.0.1:${lookupGrpc}`,
        USERSYNC_ADMIN_EMAIL: BENCH_ADMIN.email,
        USERSYNC_ADMIN_PASSWORD: BENCH_ADMIN.password,
      }),
    );
    for (const port of [keyHealth, gwHttp, lookupHealth, webHttp]) {
      await until(async () => {
        if (children.some((c) => c.exitCode !== null)) throw new Error('run ended: a service exited while starting');
        return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
      }, 120_000);
    }
    return { portal: `http://127.0.0.1:${webHttp}`, runService: `127.0.0.1:${gwGrpc}`, stop } satisfies Stack;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `name=value` of every Set-Cookie of a response. */
function cookiesOf(res: Response): Record<string, string> {
  return Object.fromEntries(
    res.headers.getSetCookie().map((c) => {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      return [pair!.slice(0, at), pair!.slice(at + 1)];
    }),
  );
}

/** Signs in through the login form as a browser does (web/test/support.ts signIn); returns the Cookie header. */
export async function signIn(portal: string): Promise<string> {
  const page = await fetch(`${portal}/login`);
  await page.text();
  const token = cookiesOf(page)['usersync_login_csrf'];
  if (!token) throw new Error(`GET /login set no login CSRF cookie (${page.status})`);
  const res = await fetch(`${portal}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `usersync_login_csrf=${token}` },
    body: new URLSearchParams({ _csrf: token, email: BENCH_ADMIN.email, password: BENCH_ADMIN.password, next: '' }),
  });
  await res.text();
  const session = cookiesOf(res)['usersync_session'];
  if (res.status !== 303 || !session) throw new Error(`login failed with ${res.status}`);
  return `usersync_session=${session}`;
}

/** A page token `depth` runs back from the newest, walked through RunService.ListRuns as the portal's pager does. */
export async function olderRunsToken(runService: string, depth: number): Promise<string> {
  const client = createGrpcClient(runsV1.RunServiceClient, runService, { deadlineMs: 30_000 });
  try {
    let token = '';
    for (let seen = 0; seen < depth; seen += 100) {
      const page = await unary(client, 'listRuns', { pageSize: 100, pageToken: token, source: '' });
      if (!page.nextPageToken) break;
      token = page.nextPageToken;
    }
    return token;
  } finally {
    client.close();
  }
}

export interface PageTiming {
  name: string;
  ms: number[];
  bytes: number;
}

/** Times `requests` sequential GETs of `path` (after `warmup` untimed ones); each must answer 200 with `expect`. */
export async function timePage(
  portal: string,
  cookie: string,
  page: { name: string; path: string; expect: string },
  requests: number,
  warmup: number,
): Promise<PageTiming> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < warmup + requests; i++) {
    const started = performance.now();
    const res = await fetch(`${portal}${page.path}`, { headers: { cookie }, redirect: 'manual' });
    const body = await res.text();
    const took = performance.now() - started;
    if (res.status !== 200) throw new Error(`${page.path}: ${res.status} ${body.slice(0, 300)}`);
    if (!body.includes(page.expect)) throw new Error(`${page.path}: the page does not contain "${page.expect}"`);
    if (i >= warmup) ms.push(took);
    bytes = body.length;
  }
  return { name: page.name, ms: ms.sort((a, b) => a - b), bytes };
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
