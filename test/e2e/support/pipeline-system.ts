/**
 * The whole system as real processes for the pipeline e2e test: a fresh database, nats-server, SMTP
 * sink, webhook receiver and S3, every service spawned from its dist/, plus the script-side helpers
 * (Haplo's curl upload script, run status polling, report mails, lookups).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { simpleParser, type ParsedMail } from 'mailparser';
import { expect } from 'vitest';
import { commonV1, keysV1, lookupV1, runsV1 } from '@usersync/contracts';
import {
  createTestDatabase,
  startTestNats,
  startTestSmtp,
  testS3,
  type RunningSmtp,
  type TestDatabase,
  type TestNats,
} from '@usersync/devstack';
import { createGrpcClient, unary } from '@usersync/platform';
import { spawnServices, type SpawnedSystem } from '../../support/spawn-services.js';
import { CONTROL_FILE, UPLOAD_SCRIPT } from './feed.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const CURL = '/usr/bin/curl';
const run = promisify(execFile);
export const ADMIN_EMAIL = 'e2e-admin@example.org';
export const ADMIN_PASSWORD = 'correct horse battery staple';
export const REPORT_EMAIL = 'it-team@example.org';
export const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789';
export const ACTOR = { kind: commonV1.ActorKind.ACTOR_KIND_ADMIN, id: 'e2e', displayName: 'E2E admin' };

/** A run as GET /api/user-sync/runs/:id answers it. */
export interface RunStatus {
  id: number;
  status: string;
  holdReason: { code: string; text: string } | null;
  holdDetail: string | null;
  errorCount: number;
  counts: Record<string, number> | null;
  planCounts: Record<string, number> | null;
  /** The worker stored the run's plan (a held run can be approved). */
  hasPlan: boolean;
  approvedBy: unknown;
}

/** The running system and what a script or an admin does with it. */
export type PipelineSystem = Awaited<ReturnType<typeof startPipelineSystem>>;

/** Starts everything; `stop()` ends it and removes what it made. `gatewayEnv` adds ingest-gateway settings. */
export async function startPipelineSystem(opts: { gatewayEnv?: Record<string, string> } = {}) {
  if (!existsSync(CURL)) throw new Error(`${CURL} is missing: install it with \`apt-get install -y curl\``);
  const dir = mkdtempSync(join(tmpdir(), 'usersync-e2e-'));
  writeFileSync(join(dir, 'upload.sh'), UPLOAD_SCRIPT);
  let db: TestDatabase | undefined;
  let nats: TestNats | undefined;
  let smtp: RunningSmtp | undefined;
  let receiver: WebhookReceiver | undefined;
  let system: SpawnedSystem | undefined;
  const stop = async () => {
    system?.kill();
    await Promise.all(system?.services.map((s) => s.exit) ?? []);
    await Promise.all([receiver?.stop(), smtp?.stop(), nats?.stop()]);
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    [db, nats, smtp, receiver] = await Promise.all([
      createTestDatabase(),
      startTestNats(),
      startTestSmtp(),
      startWebhookReceiver(),
    ]);
    const s3 = testS3();
    const sink = smtp;
    system = await spawnServices({
      env: {
        DATABASE_URL: db.url,
        NATS_URL: nats.url,
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY: s3.accessKey,
        S3_SECRET_KEY: s3.secretKey,
        S3_BUCKET: s3.bucket,
        S3_REGION: s3.region,
        LOG_LEVEL: 'info',
      },
      serviceEnv: (ports) => {
        const publicUrl = `http://127.0.0.1:${ports.web!.HTTP_PORT}`;
        return {
          web: { PUBLIC_URL: publicUrl, USERSYNC_ADMIN_EMAIL: ADMIN_EMAIL, USERSYNC_ADMIN_PASSWORD: ADMIN_PASSWORD },
          'notify-worker': { PUBLIC_URL: publicUrl, SMTP_URL: sink.url, WEBHOOK_SECRET, WEBHOOK_RETRY_BASE_MS: '100' },
          'ingest-gateway': { ...opts.gatewayEnv },
        };
      },
    });
    await system.waitReady(40_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const [spawned, mails, hooks] = [system, smtp, receiver];
  const gateway = spawned.service('ingest-gateway');
  const gatewayUrl = `http://127.0.0.1:${gateway.ports.HTTP_PORT}`;
  const keys = createGrpcClient(keysV1.KeyServiceClient, spawned.peers.KEY_SERVICE_ADDR!);
  const runs = createGrpcClient(runsV1.RunServiceClient, spawned.peers.RUN_SERVICE_ADDR!, { deadlineMs: 20_000 });
  const lookup = createGrpcClient(lookupV1.LookupServiceClient, spawned.peers.LOOKUP_SERVICE_ADDR!);

  const sys = {
    portalUrl: spawned.service('web').healthUrl,
    gatewayUrl,
    keys,
    runs,
    lookup,
    receiver: hooks,
    /** The upload script's key, once created. */
    uploadKey: '',

    /** Runs Haplo's upload script with real curl; returns what the script printed. */
    async uploadFeed(users: string): Promise<string> {
      writeFileSync(join(dir, '_control.json'), CONTROL_FILE);
      writeFileSync(join(dir, 'users.json'), users);
      const { stdout } = await run('/bin/sh', [join(dir, 'upload.sh')], {
        env: { PATH: '/usr/bin:/bin', DIR: dir, KEY: sys.uploadKey, SERVER: gatewayUrl.replace('http://', '') },
      });
      return stdout;
    },

    /** GET /api/user-sync/runs/:id with the upload key, as a waiting script would. */
    async runStatus(id: number): Promise<RunStatus> {
      const res = await fetch(`${gatewayUrl}/api/user-sync/runs/${id}`, {
        headers: { authorization: `Bearer ${sys.uploadKey}` },
      });
      if (res.status !== 200) throw new Error(`runs/${id} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as RunStatus;
    },

    /** Polls the run until `done` holds; the timeout error shows the last status and the worker's output. */
    async waitForRun(id: number, done: (r: RunStatus) => boolean, timeoutMs = 20_000): Promise<RunStatus> {
      const deadline = Date.now() + timeoutMs;
      let last: RunStatus | undefined;
      while (Date.now() < deadline) {
        last = await sys.runStatus(id);
        if (done(last)) return last;
        await new Promise((r) => setTimeout(r, 150));
      }
      const worker = spawned.service('apply-worker').output.join('').slice(-3000);
      throw new Error(`run ${id} never got there; last: ${JSON.stringify(last)}\napply-worker:\n${worker}`);
    },

    /** The newest file run id (RunService ListRuns, newest first): the run an upload landed in. */
    async newestRunId(): Promise<number> {
      const res = (await unary(runs, 'listRuns', {
        pageSize: 1,
        pageToken: '',
        source: '',
      })) as runsV1.ListRunsResponse;
      return res.runs[0]!.id;
    },

    /** Waits for a report mail about the run (its text names the run page) that satisfies `pick`. */
    async waitForMail(runId: number, pick: (m: ParsedMail) => boolean, timeoutMs = 20_000): Promise<ParsedMail> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const parsed = await Promise.all(
          mails.messages.filter((m) => m.to.includes(REPORT_EMAIL)).map((m) => simpleParser(m.raw)),
        );
        const found = parsed.filter((m) => (m.text ?? '').includes(`/runs/${runId}`)).find(pick);
        if (found) return found;
        if (Date.now() > deadline) {
          const notify = spawned.service('notify-worker').output.join('').slice(-3000);
          throw new Error(`no matching report mail for run ${runId} (${mails.messages.length} mails)\n${notify}`);
        }
        await mails.waitFor(mails.messages.length + 1, 500).catch(() => undefined);
      }
    },

    /** The one user lookup-service finds for `query`. */
    async lookupUser(query: string): Promise<lookupV1.UserDetails> {
      const res = (await unary(lookup, 'lookupUser', { query })) as lookupV1.LookupUserResponse;
      expect(res.matches).toHaveLength(1);
      return res.matches[0]!;
    },

    async stop(): Promise<void> {
      keys.close();
      runs.close();
      lookup.close();
      await stop();
    },
  };
  return sys;
}
