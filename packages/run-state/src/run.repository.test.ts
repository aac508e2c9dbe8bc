import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Pool } from 'pg';
import { createPool, runMigrations, ConflictError } from '@usersync/platform';
import { createTestDatabase, type TestDatabase } from '@usersync/devstack';
import { getRun, isCancelRequested, transitionRun } from './run.repository.js';
import { availableActions, canTransition } from './transitions.js';

const RUNS_MIGRATIONS = fileURLToPath(new URL('../../../services/ingest-gateway/migrations', import.meta.url));

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  await runMigrations(pool, { owner: 'runs', dir: RUNS_MIGRATIONS, log: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

async function newRun(): Promise<number> {
  await pool.query(
    `UPDATE runs.run SET status = 'cancelled' WHERE status IN ('uploading', 'ready', 'held', 'running')`,
  );
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO runs.run (expected_files) VALUES ('{_control,users}') RETURNING id`,
  );
  return Number(rows[0]!.id);
}

describe('run state machine', () => {
  it('walks uploading → ready → running → complete, stamping times and counts', async () => {
    const id = await newRun();
    expect((await transitionRun(pool, id, 'markReady')).status).toBe('ready');
    const running = await transitionRun(pool, id, 'queue', {
      approvedBy: { kind: 'admin', id: '7', displayName: 'Ada' },
    });
    expect(running.status).toBe('running');
    expect(running.approvedBy).toEqual({ kind: 'admin', id: '7', displayName: 'Ada' });
    const done = await transitionRun(pool, id, 'complete', { counts: { created: 3, blocked: 1 }, errorCount: 2 });
    expect(done).toMatchObject({ status: 'complete', counts: { created: 3, blocked: 1 }, errorCount: 2 });
    expect(done.finishedAt).toBeInstanceOf(Date);
  });

  it('refuses a transition from the wrong status, naming the current one', async () => {
    const id = await newRun();
    await expect(transitionRun(pool, id, 'complete')).rejects.toThrow(ConflictError);
    await expect(transitionRun(pool, id, 'queue')).rejects.toThrow(/is uploading: cannot queue/);
    expect((await getRun(pool, id)).status).toBe('uploading');
  });

  it('keeps a force-cancelled run cancelled when the worker tries to complete it (H4)', async () => {
    const id = await newRun();
    await transitionRun(pool, id, 'markReady');
    await transitionRun(pool, id, 'queue');
    expect(await isCancelRequested(pool, id)).toBe(false);
    await transitionRun(pool, id, 'forceCancel', {
      cancelledBy: { kind: 'admin', id: '1', displayName: 'Root' },
      cancelReason: 'wrong file',
    });
    expect(await isCancelRequested(pool, id)).toBe(true);
    await expect(transitionRun(pool, id, 'complete')).rejects.toThrow(/is cancelled/);
    expect((await getRun(pool, id)).status).toBe('cancelled');
  });

  it('lets only one of two racing transitions win', async () => {
    const id = await newRun();
    await transitionRun(pool, id, 'markReady');
    const results = await Promise.allSettled([transitionRun(pool, id, 'queue'), transitionRun(pool, id, 'cancel')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('allows at most one open run', async () => {
    await newRun();
    await expect(pool.query(`INSERT INTO runs.run (expected_files) VALUES ('{_control}')`)).rejects.toThrow(
      /run_one_open_idx/,
    );
  });

  it('offers the actions of Haplo’s run page by status', () => {
    expect(availableActions('uploading')).toEqual(['cancel']);
    expect(availableActions('ready')).toEqual(['apply', 'cancel']);
    expect(availableActions('running')).toEqual(['force-cancel']);
    expect(availableActions('complete')).toEqual(['reapply']);
    expect(availableActions('failure')).toEqual(['reapply']);
    expect(availableActions('cancelled')).toEqual([]);
    expect(canTransition('hold', 'running')).toBe(true);
  });
});
