/**
 * A portal wired to a real ingest-gateway (PostgreSQL, NATS, S3 and key-service), for the tests of
 * the run pages. The gateway side is the gateway's own test environment, reused as it is.
 */
import type pg from 'pg';
import { pino } from 'pino';
import { appendRunLog, replaceRunPlanFrom, transitionRun, type RunLogLine } from '@usersync/run-state';
import { startGatewayEnv, type GatewayEnv } from '../../services/ingest-gateway/test/support/gateway-env.js';
import { controlFile, upload, usersFile, startSync } from '../../services/ingest-gateway/test/support/fixtures.js';
import { startPortal, type TestPortal } from './support.js';

export { controlFile, upload, usersFile, startSync };

export interface RunsEnv {
  gateway: GatewayEnv;
  portal: TestPortal;
  /** Pool on the gateway's database (schema runs). */
  runsDb: pg.Pool;
  stop(): Promise<void>;
}

/** Starts the gateway environment and a portal whose RunService is that gateway. */
export async function startRunsEnv(): Promise<RunsEnv> {
  const gateway = await startGatewayEnv();
  const portal = await startPortal({
    runServiceAddr: `127.0.0.1:${gateway.gateway.ports().grpc}`,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  return {
    gateway,
    portal,
    runsDb: gateway.pool,
    async stop() {
      await portal.close();
      await gateway.stop();
    },
  };
}

/** The newest run's id. */
export async function newestRunId(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM runs.run ORDER BY id DESC LIMIT 1');
  return Number(rows[0]!.id);
}

/** Uploads `_control` and `users` through the HTTP API: the run is ready. Returns its id. */
export async function readyRun(env: RunsEnv, users = usersFile(5)): Promise<number> {
  const c = await upload(env.gateway, '_control', controlFile(['users']));
  if (c.status !== 200) throw new Error(`control upload failed: ${c.status} ${c.text}`);
  const u = await upload(env.gateway, 'users', users);
  if (u.status !== 200) throw new Error(`users upload failed: ${u.status} ${u.text}`);
  return newestRunId(env.runsDb);
}

/** Cancels every open run (a clean slate for the next test). */
export async function cancelOpenRuns(env: RunsEnv): Promise<void> {
  await env.runsDb.query(
    `UPDATE runs.run SET status = 'cancelled', finished_at = now() WHERE status IN ('uploading', 'ready', 'held', 'running')`,
  );
}

/** Holds a ready run as the apply-worker does after planning: counts, plan rows and digest, and a log. */
export async function holdWithPlan(
  env: RunsEnv,
  runId: number,
  plan: { created: string[]; updated: string[]; blocked: string[]; unchanged: number },
  log: RunLogLine[] = [],
): Promise<void> {
  const rows = [
    ...plan.created.map((u) => ({
      username: u,
      action: 'create',
      changes: [{ field: 'email', before: null, after: `${u}@example.org` }],
    })),
    ...plan.updated.map((u) => ({
      username: u,
      action: 'update',
      changes: [{ field: 'nameLast', before: 'Old', after: 'New' }],
    })),
    ...plan.blocked.map((u) => ({
      username: u,
      action: 'block',
      changes: [{ field: 'active', before: true, after: false }],
    })),
  ];
  await replaceRunPlanFrom(
    env.runsDb,
    runId,
    `SELECT r->>'username' AS username, r->>'action' AS action, r->'changes' AS changes
     FROM jsonb_array_elements($2::jsonb) AS r`,
    [JSON.stringify(rows)],
  );
  await transitionRun(env.runsDb, runId, 'hold', {
    holdReason: 'block_threshold',
    holdDetail: `would block ${plan.blocked.length} users`,
    planDigest: `test-plan-${runId}`,
    planCounts: {
      created: plan.created.length,
      updated: plan.updated.length,
      reactivated: 0,
      blocked: plan.blocked.length,
      unchanged: plan.unchanged,
      errors: 0,
    },
  });
  if (log.length) await appendRunLog(env.runsDb, runId, log, 0);
}
