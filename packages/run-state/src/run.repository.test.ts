import { describe, expect, it } from 'vitest';
import { ConflictError } from '@usersync/platform';
import { useRunsDatabase } from './runs-database.fixture.js';
import { getRun, isCancelRequested, transitionRun } from './run.repository.js';
import { availableActions, canTransition } from './transitions.js';

const runs = useRunsDatabase();

async function newRun(): Promise<number> {
  await runs.pool.query(
    `UPDATE runs.run SET status = 'cancelled' WHERE status IN ('uploading', 'ready', 'held', 'running')`,
  );
  const { rows } = await runs.pool.query<{ id: string }>(
    `INSERT INTO runs.run (expected_files) VALUES ('{_control,users}') RETURNING id`,
  );
  return Number(rows[0]!.id);
}

describe('run state machine', () => {
  it('walks uploading → ready → running → complete, stamping times and counts', async () => {
    const id = await newRun();
    expect((await transitionRun(runs.pool, id, 'markReady')).status).toBe('ready');
    const running = await transitionRun(runs.pool, id, 'queue', {
      approvedBy: { kind: 'admin', id: '7', displayName: 'Ada' },
    });
    expect(running.status).toBe('running');
    expect(running.approvedBy).toEqual({ kind: 'admin', id: '7', displayName: 'Ada' });
    const done = await transitionRun(runs.pool, id, 'complete', { counts: { created: 3, blocked: 1 }, errorCount: 2 });
    expect(done).toMatchObject({ status: 'complete', counts: { created: 3, blocked: 1 }, errorCount: 2 });
    expect(done.finishedAt).toBeInstanceOf(Date);
  });

  it('refuses a transition from the wrong status, naming the current one', async () => {
    const id = await newRun();
    await expect(transitionRun(runs.pool, id, 'complete')).rejects.toThrow(ConflictError);
    await expect(transitionRun(runs.pool, id, 'queue')).rejects.toThrow(/is uploading: cannot queue/);
    expect((await getRun(runs.pool, id)).status).toBe('uploading');
  });

  it('keeps a force-cancelled run cancelled when the worker tries to complete it (H4)', async () => {
    const id = await newRun();
    await transitionRun(runs.pool, id, 'markReady');
    await transitionRun(runs.pool, id, 'queue');
    expect(await isCancelRequested(runs.pool, id)).toBe(false);
    await transitionRun(runs.pool, id, 'forceCancel', {
      cancelledBy: { kind: 'admin', id: '1', displayName: 'Root' },
      cancelReason: 'wrong file',
    });
    expect(await isCancelRequested(runs.pool, id)).toBe(true);
    await expect(transitionRun(runs.pool, id, 'complete')).rejects.toThrow(/is cancelled/);
    expect((await getRun(runs.pool, id)).status).toBe('cancelled');
  });

  it('lets only one of two racing transitions win', async () => {
    const id = await newRun();
    await transitionRun(runs.pool, id, 'markReady');
    const results = await Promise.allSettled([
      transitionRun(runs.pool, id, 'queue'),
      transitionRun(runs.pool, id, 'cancel'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('allows at most one open run', async () => {
    await newRun();
    await expect(runs.pool.query(`INSERT INTO runs.run (expected_files) VALUES ('{_control}')`)).rejects.toThrow(
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
