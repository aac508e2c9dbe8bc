/**
 * RunService over real gRPC: every transition and every refused one, concurrent Apply, Re-apply,
 * manual upload and download, logs and plans. Configuration and control files: run-config.test.ts.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AckPolicy, DeliverPolicy, connect, type NatsConnection } from 'nats';
import { commonV1, decodeEvent, runsV1 } from '@usersync/contracts';
import { ConflictError, NotFoundError, ValidationError } from '@usersync/platform';
import { ADMIN, startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { cancelOpenRuns, completeRun, controlFile, outboxSubjects, upload, usersFile } from '../support/fixtures.js';
import { callRunService, readyRun as readyRunIn } from '../support/run-service-calls.js';

let env: GatewayEnv;
let nc: NatsConnection;
const S = runsV1.RunStatus;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  env = await startGatewayEnv();
  nc = await connect({ servers: env.nats.url });
});
afterAll(async () => {
  await nc?.close();
  await env?.stop();
});
beforeEach(async () => {
  await cancelOpenRuns(env);
});

const readyRun = (users = usersFile(10)) => readyRunIn(env, users);
const call = <T>(method: string, req: unknown) => callRunService<T>(env, method, req);
const getRun = async (runId: number) => (await call<runsV1.GetRunResponse>('getRun', { runId })).run!;

/** sync.run.queued events in the stream for one run (reads the stream from the start). */
async function queuedEventsFor(runId: number): Promise<number> {
  const js = nc.jetstream();
  const jsm = await nc.jetstreamManager();
  const name = `t${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  await jsm.consumers.add('SYNC_RUNS', {
    durable_name: name,
    filter_subject: 'sync.run.queued',
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
  });
  const consumer = await js.consumers.get('SYNC_RUNS', name);
  const info = await consumer.info();
  let count = 0;
  for (let i = 0; i < info.num_pending; i++) {
    const msg = await consumer.next({ expires: 2000 });
    if (!msg) break;
    if (decodeEvent('sync.run.queued', msg.data).runId === runId) count++;
  }
  await jsm.consumers.delete('SYNC_RUNS', name);
  return count;
}

async function waitForRelay(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await env.pool.query('SELECT count(*)::int AS n FROM runs.outbox WHERE sent_at IS NULL');
    if (rows[0].n === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('outbox relay did not publish');
}

describe('transitions', () => {
  it('refuses Apply on uploading, running and finished runs, and without an actor', async () => {
    await upload(env, '_control', controlFile(['users', 'staff']));
    const { rows } = await env.pool.query<{ id: string }>('SELECT id FROM runs.run ORDER BY id DESC LIMIT 1');
    const uploading = Number(rows[0]!.id);
    await expect(call('applyRun', { runId: uploading, actor: ADMIN })).rejects.toThrow(ConflictError);
    await expect(call('applyRun', { runId: uploading })).rejects.toThrow(ValidationError);
    await expect(call('applyRun', { runId: 9_999_999, actor: ADMIN })).rejects.toThrow(NotFoundError);
    await cancelOpenRuns(env);
    const id = await readyRun();
    await call('applyRun', { runId: id, actor: ADMIN });
    await expect(call('applyRun', { runId: id, actor: ADMIN })).rejects.toThrow(/is running: cannot queue/);
    await expect(call('cancelRun', { runId: id, actor: ADMIN })).rejects.toThrow(ConflictError);
    await completeRun(env, id);
    await expect(call('applyRun', { runId: id, actor: ADMIN })).rejects.toThrow(ConflictError);
    await expect(call('forceCancelRun', { runId: id, actor: ADMIN })).rejects.toThrow(ConflictError);
  });

  it('lets exactly one of two concurrent Apply calls win, with one sync.run.queued in the stream', async () => {
    const id = await readyRun();
    const results = await Promise.allSettled([
      call('applyRun', { runId: id, actor: ADMIN }),
      call('applyRun', { runId: id, actor: { ...ADMIN, id: '2', displayName: 'Bob' } }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(ConflictError);
    await waitForRelay();
    expect(await queuedEventsFor(id)).toBe(1);
  });

  it('cancels uploading and ready runs with a reason and an event', async () => {
    await upload(env, '_control', controlFile(['users', 'staff']));
    const { rows } = await env.pool.query<{ id: string }>('SELECT id FROM runs.run ORDER BY id DESC LIMIT 1');
    const uploading = Number(rows[0]!.id);
    const cancelled = (
      await call<runsV1.CancelRunResponse>('cancelRun', { runId: uploading, actor: ADMIN, reason: 'test' })
    ).run!;
    expect(cancelled).toMatchObject({ status: S.RUN_STATUS_CANCELLED, cancelReason: 'test', cancelledBy: ADMIN });
    expect((await outboxSubjects(env)).at(-1)).toBe('sync.run.cancelled');
    const ready = await readyRun();
    expect(
      (await call<runsV1.CancelRunResponse>('cancelRun', { runId: ready, actor: ADMIN, reason: '' })).run!.status,
    ).toBe(S.RUN_STATUS_CANCELLED);
    await expect(call('cancelRun', { runId: ready, actor: ADMIN })).rejects.toThrow(/is cancelled/);
  });

  it('force-cancels only a running run, setting cancel_requested', async () => {
    const id = await readyRun();
    await expect(call('forceCancelRun', { runId: id, actor: ADMIN })).rejects.toThrow(/is ready/);
    await call('applyRun', { runId: id, actor: ADMIN });
    const run = (
      await call<runsV1.ForceCancelRunResponse>('forceCancelRun', { runId: id, actor: ADMIN, reason: 'wrong file' })
    ).run!;
    expect(run).toMatchObject({ status: S.RUN_STATUS_CANCELLED, cancelRequested: true, cancelReason: 'wrong file' });
  });

  it('re-applies a complete run as a new running run with all its files, and refuses while a run is open', async () => {
    const id = await readyRun();
    await call('applyRun', { runId: id, actor: ADMIN });
    await expect(call('reapplyRun', { runId: id, actor: ADMIN })).rejects.toThrow(/only a complete or failed run/);
    await completeRun(env, id);
    const original = await getRun(id);
    await upload(env, '_control', controlFile(['users', 'staff']));
    await expect(call('reapplyRun', { runId: id, actor: ADMIN })).rejects.toThrow(
      /is uploading: apply, cancel or wait/,
    );
    await cancelOpenRuns(env);
    const copy = (await call<runsV1.ReapplyRunResponse>('reapplyRun', { runId: id, actor: ADMIN })).run!;
    expect(copy).toMatchObject({ status: S.RUN_STATUS_RUNNING, reappliedFromRunId: id, approvedBy: ADMIN });
    expect(copy.files.map((f) => [f.name, f.digest])).toEqual(original.files.map((f) => [f.name, f.digest]));
    expect((await outboxSubjects(env)).at(-1)).toBe('sync.run.queued');
  });
});

describe('files', () => {
  it('uploads through UploadRunFile (same rules as HTTP) and downloads with metadata first', async () => {
    const control = controlFile(['users']);
    await upload(env, '_control', control);
    const content = Buffer.from(usersFile(2000));
    const res = await new Promise<runsV1.UploadRunFileResponse>((resolve, reject) => {
      const stream = env.runs.uploadRunFile((err, r) => (err ? reject(err) : resolve(r)));
      stream.write({ payload: { $case: 'metadata', value: { name: 'users', filename: 'u.json', actor: ADMIN } } });
      for (let i = 0; i < content.length; i += 16_384)
        stream.write({ payload: { $case: 'chunk', value: content.subarray(i, i + 16_384) } });
      stream.end();
    });
    expect(res.file).toMatchObject({ name: 'users', digest: sha256(content), size: content.length });
    expect(res.run!.status).toBe(S.RUN_STATUS_READY);
    const messages: runsV1.DownloadRunFileResponse[] = [];
    for await (const m of env.runs.downloadRunFile({ runId: res.run!.id, name: 'users' }))
      messages.push(m as runsV1.DownloadRunFileResponse);
    expect(messages[0]!.payload).toMatchObject({ $case: 'metadata', value: { name: 'users', filename: 'u.json' } });
    const bytes = Buffer.concat(messages.slice(1).map((m) => (m.payload as { value: Uint8Array }).value));
    expect(sha256(bytes)).toBe(sha256(content));
    // An unknown name is refused as over HTTP.
    await cancelOpenRuns(env);
    await upload(env, '_control', control);
    const refused = new Promise((resolve, reject) => {
      const stream = env.runs.uploadRunFile((err, r) => (err ? reject(err) : resolve(r)));
      stream.write({ payload: { $case: 'metadata', value: { name: 'pupils', filename: 'p.json', actor: ADMIN } } });
      stream.end();
    });
    await expect(refused).rejects.toThrow(/not expected by the control file/);
  });

  it('answers NOT_FOUND for a missing file', async () => {
    const id = await readyRun();
    const stream = env.runs.downloadRunFile({ runId: id, name: 'nope' });
    await expect(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    ).rejects.toThrow(/no file named nope/);
  });
});

describe('lists, logs and plans', () => {
  it('pages runs newest first with tokens both ways', async () => {
    for (let i = 0; i < 3; i++) {
      await readyRun();
      await cancelOpenRuns(env);
    }
    const first = await call<runsV1.ListRunsResponse>('listRuns', { pageSize: 2 });
    expect(first.runs).toHaveLength(2);
    expect(first.runs[0]!.id).toBeGreaterThan(first.runs[1]!.id);
    expect(first.prevPageToken).toBe('');
    const second = await call<runsV1.ListRunsResponse>('listRuns', { pageSize: 2, pageToken: first.nextPageToken });
    expect(second.runs[0]!.id).toBeLessThan(first.runs[1]!.id);
    const back = await call<runsV1.ListRunsResponse>('listRuns', { pageSize: 2, pageToken: second.prevPageToken });
    expect(back.runs.map((r) => r.id)).toEqual(first.runs.map((r) => r.id));
    await expect(call('listRuns', { pageToken: 'garbage' })).rejects.toThrow(ValidationError);
    expect((await call<runsV1.ListRunsResponse>('listRuns', {})).runs.length).toBeLessThanOrEqual(10);
  });

  it("pages a run's log filtered by username and level, and its plan by action with counts", async () => {
    const id = await readyRun();
    await env.pool.query(
      `INSERT INTO runs.run_log (run_id, seq, level, username, text)
       SELECT $1, g, CASE WHEN g % 10 = 0 THEN 'error' ELSE 'info' END, 'user' || (g % 3), 'line ' || g
       FROM generate_series(1, 50) g`,
      [id],
    );
    const page1 = await call<runsV1.GetRunLogResponse>('getRunLog', { runId: id, pageSize: 20 });
    expect(page1.lines.map((l) => Number(l.seq))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const page2 = await call<runsV1.GetRunLogResponse>('getRunLog', {
      runId: id,
      pageSize: 20,
      pageToken: page1.nextPageToken,
    });
    expect(Number(page2.lines[0]!.seq)).toBe(21);
    const back = await call<runsV1.GetRunLogResponse>('getRunLog', {
      runId: id,
      pageSize: 20,
      pageToken: page2.prevPageToken,
    });
    expect(back.lines.map((l) => l.seq)).toEqual(page1.lines.map((l) => l.seq));
    const errors = await call<runsV1.GetRunLogResponse>('getRunLog', {
      runId: id,
      level: runsV1.LogLevel.LOG_LEVEL_ERROR,
    });
    expect(errors.lines.map((l) => l.text)).toEqual(['line 10', 'line 20', 'line 30', 'line 40', 'line 50']);
    const user1 = await call<runsV1.GetRunLogResponse>('getRunLog', { runId: id, username: 'USER1' });
    expect(user1.lines.every((l) => l.username === 'user1')).toBe(true);

    await env.pool.query(
      `INSERT INTO runs.run_plan (run_id, username, action, changes) VALUES
       ($1, 'a', 'create', '[{"field":"email","before":null,"after":"a@x.org"}]'), ($1, 'b', 'block', '[]'), ($1, 'c', 'create', '[]')`,
      [id],
    );
    // The worker counts the plan once when it stores it, and names whom each block takes away.
    await env.pool.query(`UPDATE runs.run SET plan_counts = '{"created":2,"blocked":1,"unchanged":7}' WHERE id = $1`, [
      id,
    ]);
    await env.pool.query(
      `UPDATE runs.run_plan SET display_name = 'Bea Baker', email = 'b@x.org', last_seen_run = 3
       WHERE run_id = $1 AND username = 'b'`,
      [id],
    );
    const plan = await call<runsV1.GetRunPlanResponse>('getRunPlan', {
      runId: id,
      action: commonV1.UserAction.USER_ACTION_CREATE,
      pageSize: 1,
    });
    expect(plan.entries).toEqual([
      {
        username: 'a',
        action: commonV1.UserAction.USER_ACTION_CREATE,
        changes: [{ field: 'email', before: 'null', after: '"a@x.org"' }],
        displayName: '',
        email: '',
        lastSeenRunId: undefined,
      },
    ]);
    expect(plan.counts).toMatchObject({ created: 2, blocked: 1, unchanged: 7 });
    const blocks = await call<runsV1.GetRunPlanResponse>('getRunPlan', {
      runId: id,
      action: commonV1.UserAction.USER_ACTION_BLOCK,
    });
    expect(blocks.entries).toMatchObject([
      { username: 'b', displayName: 'Bea Baker', email: 'b@x.org', lastSeenRunId: 3 },
    ]);
    const next = await call<runsV1.GetRunPlanResponse>('getRunPlan', {
      runId: id,
      action: 1,
      pageSize: 1,
      pageToken: plan.nextPageToken,
    });
    expect(next.entries.map((e) => e.username)).toEqual(['c']);
    expect(next.nextPageToken).toBe('');
  });
});
