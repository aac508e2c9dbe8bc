/**
 * Fuzzing the upload API (issue 21 item 1) against the real gateway, PostgreSQL, NATS, S3 and
 * key-service: thousands of malformed requests from a seeded generator (FUZZ_SEED, FUZZ_CASES to
 * explore further) plus the corpus of past failures. Nothing may answer 5xx or leave the request
 * unanswered, readiness stays green, nothing refused is recorded and no connection is left open.
 */
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testS3 } from '@usersync/devstack';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { cancelOpenRuns, controlFile, upload } from '../support/fixtures.js';
import { generateCases } from '../support/fuzz-cases.js';
import { sendRaw } from '../support/raw-http.js';
import {
  loadCorpus,
  openConnections,
  runCases,
  saveFailure,
  byLabel,
  statusHistogram,
  type Outcome,
} from '../support/fuzz-run.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const COUNT = Number(process.env.FUZZ_CASES ?? 2000);
const BODY_TIMEOUT_MS = 600;

let env: GatewayEnv;
let port: number;
let baseline = 0;

async function counts() {
  const { rows } = await env.pool.query<{ runs: number; audit: number; files: string[] | null }>(
    `SELECT (SELECT count(*)::int FROM runs.run) AS runs, (SELECT count(*)::int FROM runs.run_audit) AS audit,
            (SELECT array_agg(run_id || '/' || name || '/' || digest ORDER BY run_id, name) FROM runs.run_file) AS files`,
  );
  return { ...rows[0]!, files: rows[0]!.files ?? [] };
}

/** Connections to the gateway beyond those open before the test (fetch keeps its own alive). */
async function settledConnections(): Promise<number> {
  for (let i = 0; i < 40; i++) {
    if (openConnections(port) <= baseline) return 0;
    await new Promise((r) => setTimeout(r, 100));
  }
  return openConnections(port) - baseline;
}

/**
 * s3rver (the test S3) removes a folder when its last object goes, racing a concurrent PUT into the
 * same folder (ENOENT, unhandled, the server process dies). Eight uploads at once hit that on tmp/;
 * a permanent object there keeps the folder. Real S3 and MinIO have no folders to race on.
 */
async function keepTmpFolder(bucket: string): Promise<void> {
  const s3 = testS3();
  const url = new URL(s3.endpoint);
  const client = new Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    region: s3.region,
    pathStyle: true,
  });
  await client.putObject(bucket, 'tmp/.keep', Buffer.from('keep'), 4);
}

/** A failure is a 5xx or no answer at all (the client gave up first). */
const failed = (o: Outcome) => o.res.status === 0 || o.res.status >= 500;

beforeAll(async () => {
  env = await startGatewayEnv({
    MAX_UPLOAD_BYTES: '200000',
    MAX_CONTROL_BYTES: '50000',
    HTTP_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
    HTTP_HEADERS_TIMEOUT_MS: '1000',
    INGEST_START_SYNC_WAIT_MS: '0',
  });
  port = Number(new URL(env.baseUrl).port);
  await keepTmpFolder(env.objects.bucket);
  await cancelOpenRuns(env);
  // Two expected files: the run stays open, so fuzzed uploads of `users` reach the streaming path.
  const control = await upload(env, '_control', controlFile(['users', 'groups']));
  expect(control.status).toBe(200);
  baseline = openConnections(port);
});
afterAll(async () => {
  await env?.stop();
});

describe('upload API fuzz', () => {
  it('answers every corpus case with its promised status class', async () => {
    const corpus = loadCorpus();
    expect(corpus.length).toBeGreaterThan(0);
    const outcomes = await runCases(port, corpus, env.authHeader);
    const wrong = outcomes
      .map((o, i) => ({ o, want: corpus[i]!.expect }))
      .filter(({ o, want }) => `${Math.floor(o.res.status / 100)}xx` !== want)
      .map(({ o, want }) => `${o.fuzz.label}: want ${want}, got ${o.res.status} ${o.res.body.slice(0, 120)}`);
    expect(wrong).toEqual([]);
  });

  it(`answers ${COUNT} generated malformed requests (seed ${SEED}) without a 5xx or leaked state`, async () => {
    const before = await counts();
    const cases = generateCases(SEED, COUNT);
    const started = Date.now();
    const outcomes = await runCases(port, cases, env.authHeader);
    const elapsed = Date.now() - started;
    const failures = outcomes.filter(failed);
    const saved = failures
      .slice(0, 20)
      .map((o) => `${saveFailure(o.fuzz)}: ${o.res.status} ${o.res.body.slice(0, 100)}`);
    console.info(`fuzz: ${COUNT} cases in ${elapsed} ms; statuses ${statusHistogram(outcomes)}`);
    if (process.env.FUZZ_VERBOSE) console.info(byLabel(outcomes));
    expect(saved, `failures written to test/fuzz-corpus (statuses ${statusHistogram(outcomes)})`).toEqual([]);

    // Every refused request told the client what was wrong.
    const silent = outcomes.filter((o) => o.res.status >= 400 && o.res.status !== 404 && o.res.body.trim() === '');
    expect(silent.map((o) => `${o.fuzz.label}: ${o.res.status}`)).toEqual([]);

    // Nothing refused was recorded: new file rows only for accepted uploads, each with its object in S3.
    const after = await counts();
    const accepted = outcomes.filter((o) => o.res.status === 200 && o.fuzz.label !== 'huge headers').length;
    const added = after.files.filter((f) => !before.files.includes(f));
    expect(added.length).toBeLessThanOrEqual(accepted);
    for (const f of added) expect(await env.objects.exists(f.split('/')[2]!)).toBe(true);

    expect((await sendRaw(port, Buffer.from('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n'))).status).toBe(200);
    expect(await settledConnections()).toBe(0);
  }, 120_000);
});

describe('timeouts', () => {
  it('answers a body shorter than its Content-Length with 408 after the body timeout and frees the connection', async () => {
    const before = await counts();
    const body = '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nusers\r\n';
    const head =
      `POST /api/user-sync/upload-file HTTP/1.1\r\nHost: x\r\nAuthorization: ${env.authHeader}\r\n` +
      `Content-Type: multipart/form-data; boundary=b\r\nContent-Length: ${body.length + 5000}\r\n\r\n`;
    const res = await sendRaw(port, Buffer.from(head + body), { timeoutMs: 5_000 });
    expect(res.status).toBe(408);
    expect(res.body).toMatch(/^Request body timed out: nothing arrived for 600 ms .*Content-Length 5059/);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
    expect(res.elapsedMs).toBeLessThan(3_000);
    expect(res.closedByServer || res.headers.connection === 'close').toBe(true);
    expect(await counts()).toEqual(before);
    expect(await settledConnections()).toBe(0);
  });

  it('answers a file part that stalls mid-stream with 408 and records nothing', async () => {
    const before = await counts();
    const body =
      '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nusers\r\n' +
      '--b\r\nContent-Disposition: form-data; name="file"; filename="u.json"\r\n\r\n[{"username":"half';
    const head =
      `POST /api/haplo-user-sync/upload-file HTTP/1.1\r\nHost: x\r\nAuthorization: ${env.authHeader}\r\n` +
      `Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n`;
    const res = await sendRaw(port, Buffer.from(head + body), { timeoutMs: 5_000 });
    expect(res.status).toBe(408);
    expect(await counts()).toEqual(before);
  });

  it('answers headers that never finish with 408', async () => {
    const res = await sendRaw(port, Buffer.from('GET /api/user-sync/runs HTTP/1.1\r\nHost: x\r\nX-Slow: '), {
      timeoutMs: 5_000,
    });
    expect(res.status).toBe(408);
    expect(res.body).toMatch(/timed out/);
    expect(res.elapsedMs).toBeLessThan(4_000);
  });
});
