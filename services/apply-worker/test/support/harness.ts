/**
 * Real PostgreSQL (schemas runs and directory migrated), S3 and, when asked, NATS for the apply-worker's
 * integration tests. Runs are created by SQL here, as the ingest gateway would leave them, so these
 * tests do not depend on the gateway.
 */
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import {
  createLogger,
  createObjectStore,
  createPool,
  runMigrations,
  type Logger,
  type ObjectStore,
} from '@usersync/platform';
import { createTestDatabase, testS3, type TestDatabase, type TestS3 } from '@usersync/devstack';
import { transitionRun, type ApprovalScope } from '@usersync/run-state';

const dir = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Servers and clients of one test file. */
export interface Harness {
  db: TestDatabase;
  pool: pg.Pool;
  s3: TestS3;
  objects: ObjectStore;
  log: Logger;
  close(): Promise<void>;
}

/** Migrates both schemas into a fresh database (the ingest gateway's runs migrations included). */
export async function migrate(pool: pg.Pool, log: Logger): Promise<void> {
  await runMigrations(pool, { owner: 'runs', dir: dir('../../../ingest-gateway/migrations'), log });
  await runMigrations(pool, { owner: 'directory', dir: dir('../../migrations'), log });
}

/** A fresh database and bucket for a test file. */
export async function createHarness(): Promise<Harness> {
  const log = createLogger({ service: 'apply-worker-test', level: 'silent' });
  const db = await createTestDatabase();
  const pool = createPool(db.url, { max: 12 });
  await migrate(pool, log);
  const s3 = testS3();
  const objects = createObjectStore(s3);
  await objects.ensureBucket();
  return {
    db,
    pool,
    s3,
    objects,
    log,
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}

/** Replaces the sync configuration. */
export async function setConfig(pool: pg.Pool, config: object): Promise<void> {
  await pool.query(
    `INSERT INTO runs.sync_config (id, config) VALUES (true, $1) ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config`,
    [JSON.stringify(config)],
  );
}

/** Stores `files` (name → content; objects are JSON-encoded) and a `running` run holding them. */
export async function createRunningRun(
  h: Pick<Harness, 'pool' | 'objects'>,
  files: Record<string, string | Buffer | object>,
): Promise<number> {
  const stored: Array<{ name: string; digest: string; size: number }> = [];
  for (const [name, content] of Object.entries(files)) {
    const bytes = Buffer.isBuffer(content)
      ? content
      : Buffer.from(typeof content === 'string' ? content : JSON.stringify(content));
    const { digest, size } = await h.objects.putStream(Readable.from([bytes]));
    stored.push({ name, digest, size });
  }
  return insertRun(h.pool, stored);
}

/** Inserts a `running` run with already stored files (digest may name a missing object). */
export async function insertRun(
  pool: pg.Pool,
  files: Array<{ name: string; digest: string; size: number }>,
): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO runs.run (status, expected_files, ready_at, started_at) VALUES ('running', $1, now(), now()) RETURNING id`,
    [files.map((f) => f.name).sort()],
  );
  const runId = Number(rows[0]!.id);
  for (const f of files) {
    await pool.query(`INSERT INTO runs.run_file (run_id, name, digest, size, filename) VALUES ($1, $2, $3, $4, $5)`, [
      runId,
      f.name,
      f.digest,
      f.size,
      `${f.name}.json`,
    ]);
  }
  return runId;
}

/** A run start-sync held before any plan (first run, file sizes, auto-apply off): `held`, no plan digest. */
export async function createHeldRun(
  h: Pick<Harness, 'pool' | 'objects'>,
  files: Record<string, string | Buffer | object>,
  hold: { reason: string; detail: string },
): Promise<number> {
  const runId = await createRunningRun(h, files);
  await h.pool.query(
    `UPDATE runs.run SET status = 'held', started_at = NULL, hold_reason = $2, hold_detail = $3 WHERE id = $1`,
    [runId, hold.reason, hold.detail],
  );
  return runId;
}

/** An admin's Apply of a held run, as the gateway does it: held → running with approvedBy. */
export async function approve(pool: pg.Pool, runId: number, scope: ApprovalScope | null = null): Promise<void> {
  await transitionRun(pool, runId, 'queue', {
    approvedBy: { kind: 'admin', id: '1', displayName: 'Ada Admin' },
    approvedScope: scope,
  });
}

/** Cancels a held run so the next run can open (one open run at a time). */
export async function cancel(pool: pg.Pool, runId: number): Promise<void> {
  await transitionRun(pool, runId, 'cancel', { cancelledBy: { kind: 'admin', id: '1', displayName: 'Ada Admin' } });
}

/** A user as the tests compare them. */
export interface UserSnapshot {
  username: string;
  title: string | null;
  name_first: string;
  name_last: string;
  email: string;
  active: boolean;
  in_feed: boolean;
  error: boolean;
  tags: unknown;
  profile: unknown;
  desired_digest: string | null;
  groups: string[];
}

/** Every user with their memberships (`code` for sync, `code (manual)` for manual), by username. */
export async function directorySnapshot(pool: pg.Pool): Promise<Record<string, UserSnapshot>> {
  const { rows } = await pool.query<UserSnapshot>(
    `SELECT u.username, u.title, u.name_first, u.name_last, u.email, u.active, u.in_feed, u.error, u.tags, u.profile,
       u.desired_digest,
       coalesce(ARRAY(SELECT m.group_code || CASE WHEN m.source = 'manual' THEN ' (manual)' ELSE '' END
                      FROM directory.membership m WHERE m.user_id = u.id ORDER BY 1), '{}') AS groups
     FROM directory."user" u ORDER BY u.username`,
  );
  return Object.fromEntries(rows.map((r) => [r.username, r]));
}

/** Subjects in the directory outbox for a run, in order (decoding is not needed to count them). */
export async function outboxSubjects(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ subject: string }>('SELECT subject FROM directory.outbox ORDER BY id');
  return rows.map((r) => r.subject);
}

/** The run row's interesting columns. */
export async function runRow(pool: pg.Pool, runId: number) {
  const { rows } = await pool.query(
    `SELECT status, hold_reason, hold_detail, error_count, counts, plan_counts, plan_digest, failure_message
     FROM runs.run WHERE id = $1`,
    [runId],
  );
  return rows[0] as {
    status: string;
    hold_reason: string | null;
    hold_detail: string | null;
    error_count: number;
    counts: Record<string, number>;
    plan_counts: Record<string, number>;
    plan_digest: string | null;
    failure_message: string | null;
  };
}

/** Log lines without the START/END dates. */
export async function logText(pool: pg.Pool, runId: number): Promise<string[]> {
  const { rows } = await pool.query<{ text: string }>('SELECT text FROM runs.run_log WHERE run_id = $1 ORDER BY seq', [
    runId,
  ]);
  return rows.map((r) => r.text.replace(/^(START|END): .*/, '$1:'));
}
