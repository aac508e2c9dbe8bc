/**
 * A portal with every peer real and something on every page, for the accessibility sweep and the
 * README screenshots (scripts/screenshots.ts): ingest-gateway (PostgreSQL, NATS, S3), key-service,
 * lookup-service over a directory the real apply worker filled, a month of finished runs (complete,
 * with errors, failed, cancelled) so the history chart shows, one failure since the last success,
 * and one held run with a plan waiting for an admin.
 */
import { pino } from 'pino';
import { freePort } from '@usersync/devstack';
import type { ServiceApp } from '@usersync/platform';
import * as keyService from '@usersync/key-service';
import * as lookupService from '@usersync/lookup-service';
import { startGatewayEnv } from '../../../services/ingest-gateway/test/support/gateway-env.js';
import { processRun } from '../../../services/apply-worker/src/usecases/apply-run.js';
import { createRunningRun, migrate, setConfig } from '../../../services/apply-worker/test/support/harness.js';
import { people, simpleConfig, simpleControl } from '../../../services/apply-worker/test/support/simple-feed.js';
import { holdWithPlan, readyRun, type RunsEnv } from '../runs-env.js';
import { startPortal } from '../support.js';

export interface SeededPortal {
  env: RunsEnv;
  /** http://127.0.0.1:<port> of the listening portal. */
  base: string;
  heldRunId: number;
  appliedRunId: number;
  failedRunId: number;
  /** A username the lookup finds. */
  username: string;
  stop(): Promise<void>;
}

const silent = pino({ level: 'silent' });

/** Thirty days of finished runs: most days one or two complete, some with errors, a few failed or cancelled. */
async function seedHistory(env: RunsEnv): Promise<void> {
  await env.runsDb.query(
    `INSERT INTO runs.run (status, created_at, started_at, finished_at, expected_files, error_count, failure_message,
                           counts, cancel_reason)
     SELECT s.status, f - interval '3 minutes', f - make_interval(secs => s.secs), f, ARRAY['users', '_control'],
            CASE WHEN s.status = 'complete' AND d % 6 = 2 THEN 3 + d % 4 ELSE 0 END,
            CASE WHEN s.status = 'failure' THEN 'users: line 1204 is not valid JSON' END,
            CASE WHEN s.status = 'complete'
                 THEN jsonb_build_object('created', d % 3, 'updated', 10 + d, 'reactivated', 0, 'blocked', d % 2,
                                         'unchanged', 4200 + d)
                 ELSE '{}'::jsonb END,
            CASE WHEN s.status = 'cancelled' THEN 'wrong file uploaded' END
     FROM generate_series(2, 29) AS d,
          LATERAL (VALUES (now() - make_interval(days => d, hours => 6))) AS t(f),
          LATERAL (SELECT * FROM (VALUES
              ('complete', 40 + (d * 37) % 200, true),
              ('complete', 60 + (d * 53) % 400, d % 3 = 0),
              ('failure', 20 + d, d % 9 = 4),
              ('cancelled', 0, d % 11 = 5)) AS v(status, secs, keep) WHERE keep) AS s`,
  );
}

/** Starts everything and seeds it; the portal listens on a free port with PORTAL_TIME_ZONE=UTC. */
export async function startSeededPortal(): Promise<SeededPortal> {
  const gateway = await startGatewayEnv();
  const runsDb = gateway.pool;
  const dbUrl = gateway.db.url;
  await migrate(runsDb, silent);
  await setConfig(runsDb, { ...simpleConfig, maxBlockPercent: 100, maxBlockCount: null });

  const [keyGrpc, keyHealth, lookupGrpc, lookupHealth] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const keys: ServiceApp = await keyService.createApp(
    keyService.loadConfig({
      DATABASE_URL: dbUrl,
      NATS_URL: gateway.nats.url,
      GRPC_PORT: String(keyGrpc),
      HEALTH_PORT: String(keyHealth),
      LOG_LEVEL: 'warn',
    }),
    silent,
  );
  await keys.start();
  const lookup: ServiceApp = await lookupService.createApp(
    lookupService.loadConfig({ DATABASE_URL: dbUrl, GRPC_PORT: String(lookupGrpc), HEALTH_PORT: String(lookupHealth) }),
    silent,
  );
  await lookup.start();
  const portal = await startPortal({
    runServiceAddr: `127.0.0.1:${gateway.gateway.ports().grpc}`,
    keyServiceAddr: `127.0.0.1:${keyGrpc}`,
    env: { LOOKUP_SERVICE_ADDR: `127.0.0.1:${lookupGrpc}`, PORTAL_TIME_ZONE: 'UTC' },
    log: silent,
  });
  const env: RunsEnv = {
    gateway,
    portal,
    runsDb,
    async stop() {
      await portal.close();
      await lookup.stop();
      await keys.stop();
      await gateway.stop();
    },
  };

  await seedHistory(env);
  // A run the real worker applies: the directory the lookup reads, and the last success (5 h ago).
  const appliedRunId = await createRunningRun(
    { pool: runsDb, objects: gateway.objects },
    { _control: simpleControl, users: people(25, (n) => ({ DEPT: n % 2 ? 'History' : 'Physics' })) },
  );
  const outcome = await processRun({ pool: runsDb, objects: gateway.objects, log: silent }, appliedRunId);
  if (outcome !== 'complete') throw new Error(`seed run ${appliedRunId} ended ${outcome}`);
  await runsDb.query(
    `UPDATE runs.run SET finished_at = now() - interval '5 hours',
       started_at = now() - interval '5 hours 2 minutes', created_at = now() - interval '5 hours 3 minutes'
     WHERE id = $1`,
    [appliedRunId],
  );
  const failed = await runsDb.query<{ id: string }>(
    `INSERT INTO runs.run (status, created_at, started_at, finished_at, expected_files, failure_message)
     VALUES ('failure', now() - interval '2 hours 5 minutes', now() - interval '2 hours 4 minutes',
             now() - interval '2 hours', ARRAY['users', '_control'], 'users: line 88 has no ID') RETURNING id`,
  );
  // The held run: uploaded through the upload API, planned as the worker plans it, waiting for a decision.
  const heldRunId = await readyRun(env);
  await holdWithPlan(
    env,
    heldRunId,
    {
      created: ['new.starter1', 'new.starter2', 'new.starter3'],
      updated: ['u1', 'u2'],
      blocked: ['u20', 'u21', 'u22', 'u23'],
      unchanged: 16,
    },
    [
      { level: 'info', username: null, text: 'Planned 25 records: 3 create, 2 update, 4 block, 16 unchanged' },
      { level: 'warning', username: 'u20', text: 'u20 is not in the feed: would be blocked' },
    ],
  );
  const port = await freePort();
  await portal.app.listen({ port, host: '127.0.0.1' });
  return {
    env,
    base: `http://127.0.0.1:${port}`,
    heldRunId,
    appliedRunId,
    failedRunId: Number(failed.rows[0]!.id),
    username: 'u3',
    stop: () => env.stop(),
  };
}
