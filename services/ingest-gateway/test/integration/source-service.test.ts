/**
 * SourceService.GetSources against a real gateway, PostgreSQL, NATS and S3: the SCIM source's counts, last
 * change and batch, changes waiting, its runs and its last request (and last failed one) as SCIM clients
 * made them; the file feed's last upload, open run and runs. The batch window is an hour: tests batch by hand.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonV1, runsV1, sourcesV1 } from '@usersync/contracts';
import { createGrpcClient, unary } from '@usersync/platform';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { controlFile, upload } from '../support/fixtures.js';
import { USER_SCHEMA, scimClient, type ScimClient } from '../support/scim-client.js';
import { batchScimChanges } from '../../src/usecases/scim-batcher.js';

const WINDOW_MS = 3_600_000;
let env: GatewayEnv;
let scim: ScimClient & { key: string };
let scimKeyId: string;
let sources: sourcesV1.SourceServiceClient;

const getSources = (runsPerSource = 0) =>
  unary<sourcesV1.SourceServiceClient, 'getSources'>(sources, 'getSources', { runsPerSource });

/** The last request is written at most once a second: polls until `ok` holds (or 5 s pass). */
async function eventually(ok: (s: sourcesV1.GetSourcesResponse) => boolean): Promise<sourcesV1.GetSourcesResponse> {
  const until = Date.now() + 5_000;
  for (;;) {
    const s = await getSources();
    if (ok(s) || Date.now() > until) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  env = await startGatewayEnv({ SCIM_BATCH_WINDOW_MS: String(WINDOW_MS) });
  const key = await env.createKey(['scim']);
  scimKeyId = key.id;
  scim = await scimClient(env);
  sources = createGrpcClient(sourcesV1.SourceServiceClient, `127.0.0.1:${env.gateway.ports().grpc}`);
}, 60_000);
afterAll(async () => {
  sources?.close();
  await env?.stop();
});

describe('SourceService.GetSources', () => {
  it('answers for sources that never did anything', async () => {
    const s = await getSources();
    expect(s.scim).toMatchObject({
      users: 0,
      activeUsers: 0,
      groups: 0,
      changesWaiting: 0,
      lastBatchRunId: 0,
      batchWindowMs: WINDOW_MS,
      runs: [],
      runCount: 0,
    });
    expect(s.scim!.lastRequest).toBeUndefined();
    expect(s.scim!.lastFailedRequest).toBeUndefined();
    expect(s.scim!.lastChangeAt).toBeUndefined();
    expect(s.scim!.openRun).toBeUndefined();
    expect(s.file).toMatchObject({ runs: [], runCount: 0 });
    expect(s.file!.lastUploadAt).toBeUndefined();
  });

  it('records the last request with its key, method, path and status, and the last failed one', async () => {
    const before = new Date();
    const ann = await scim.createUser({ userName: 'ann@corp.example' });
    await scim.createUser({ userName: 'gone@corp.example', active: false });
    await scim.call('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Sales',
      members: [{ value: ann.id }],
    });
    // A request with a wrong token: refused before any key is known.
    const refused = await fetch(`${env.baseUrl}/scim/v2/Users`, { headers: { authorization: 'Bearer usk_wrong' } });
    expect(refused.status).toBe(401);
    // The last request: a filter whose query string (it names a user) is not kept.
    const list = await scim.call('GET', `/Users?filter=${encodeURIComponent('userName eq "ann@corp.example"')}`);
    expect(list.status).toBe(200);

    const s = await eventually((x) => x.scim?.lastRequest?.method === 'GET');
    const last = s.scim!.lastRequest!;
    expect(last).toMatchObject({ method: 'GET', path: '/scim/v2/Users', status: 200 });
    expect(last.keyId).not.toBe('');
    expect(last.keyId).not.toBe(scimKeyId); // the scim client's own key, not the unused one
    expect(last.keyName).toMatch(/^test /);
    expect(last.at!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
    expect(s.scim!.lastFailedRequest).toMatchObject({ method: 'GET', path: '/scim/v2/Users', status: 401, keyId: '' });

    expect(s.scim).toMatchObject({ users: 2, activeUsers: 1, groups: 1, changesWaiting: 3 });
    expect(s.scim!.lastChangeAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
  });

  it('keeps the newer failure when a later request succeeds, and takes a newer failure', async () => {
    const missing = await scim.call('GET', '/Users/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    const s = await eventually((x) => x.scim?.lastFailedRequest?.status === 404);
    expect(s.scim!.lastFailedRequest).toMatchObject({
      method: 'GET',
      path: '/scim/v2/Users/00000000-0000-0000-0000-000000000000',
      status: 404,
    });
    expect(s.scim!.lastFailedRequest!.keyId).toBe(s.scim!.lastRequest!.keyId);
    await scim.call('GET', '/ServiceProviderConfig');
    const later = await eventually((x) => x.scim?.lastRequest?.path === '/scim/v2/ServiceProviderConfig');
    expect(later.scim!.lastRequest!.status).toBe(200);
    expect(later.scim!.lastFailedRequest!.status).toBe(404);
  });

  it('shows the batch: its run among the source runs, open while it applies, nothing waiting', async () => {
    const opened = await batchScimChanges({ pool: env.pool, objects: env.objects, log: pino({ level: 'silent' }) });
    expect(opened.kind).toBe('opened');
    const runId = (opened as { runId: number }).runId;
    const s = await getSources();
    expect(s.scim).toMatchObject({ changesWaiting: 0, lastBatchRunId: runId, runCount: 1 });
    expect(s.scim!.lastBatchAt).toBeInstanceOf(Date);
    expect(s.scim!.runs.map((r) => [r.id, r.source])).toEqual([[runId, 'scim']]);
    expect(s.scim!.runs[0]!.status).toBe(runsV1.RunStatus.RUN_STATUS_RUNNING);
    expect(s.scim!.openRun).toMatchObject({ id: runId, source: 'scim' });
    expect(s.file!.runs).toEqual([]);

    // A change made while the run is open waits behind it.
    await scim.createUser({ userName: 'cy@corp.example', schemas: [USER_SCHEMA] });
    expect((await getSources()).scim).toMatchObject({ changesWaiting: 1, users: 3, activeUsers: 2 });
  });

  it('shows the file feed: its last upload, by which key, its open run and runs', async () => {
    const before = new Date();
    await upload(env, '_control', controlFile(['users']));
    const s = await getSources();
    expect(s.file!.lastUploadAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
    expect(s.file!.lastUploadBy).toMatchObject({ kind: commonV1.ActorKind.ACTOR_KIND_API_KEY });
    expect(s.file!.controlFileAt).toBeInstanceOf(Date);
    expect(s.file!.openRun).toMatchObject({ source: 'file', status: runsV1.RunStatus.RUN_STATUS_UPLOADING });
    expect(s.file!.runs.map((r) => r.source)).toEqual(['file']);
    expect(s.file!.runCount).toBe(1);
    // The SCIM side is unchanged by the upload.
    expect(s.scim!.runCount).toBe(1);
  });

  it('caps the runs per source', async () => {
    await env.pool.query(
      `INSERT INTO runs.run (status, expected_files, source, finished_at)
       SELECT 'cancelled', '{_control}', 'file', now() FROM generate_series(1, 25)`,
    );
    expect((await getSources()).file!.runs).toHaveLength(5);
    expect((await getSources(2)).file!.runs).toHaveLength(2);
    const many = await getSources(1_000);
    expect(many.file!.runs).toHaveLength(20);
    expect(many.file!.runCount).toBe(26);
    const ids = many.file!.runs.map((r) => r.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });
});
