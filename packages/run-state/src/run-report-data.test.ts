import { describe, expect, it } from 'vitest';
import { heldRunsOlderThan, plannedBlocks } from './run-report-data.js';
import { transitionRun } from './run.repository.js';
import { useRunsDatabase } from './runs-database.fixture.js';

const runs = useRunsDatabase();

async function insertRun(status: string): Promise<number> {
  const { rows } = await runs.pool.query<{ id: string }>(
    `INSERT INTO runs.run (expected_files, status, ready_at) VALUES ('{_control}', $1, now()) RETURNING id`,
    [status],
  );
  return Number(rows[0]!.id);
}

describe('report reads', () => {
  it('names the first blocked users of a stored plan by username, and counts them all', async () => {
    const runId = await insertRun('cancelled');
    await runs.pool.query(
      `INSERT INTO runs.run_plan (run_id, username, action, display_name) VALUES
         ($1, 'zoe', 'block', 'Zoe Z'), ($1, 'adam', 'block', NULL), ($1, 'mia', 'block', 'Mia M'),
         ($1, 'bob', 'create', 'Bob B'), ($1, 'carl', 'update', NULL)`,
      [runId],
    );
    expect(await plannedBlocks(runs.pool, runId, 2)).toEqual({
      users: [
        { username: 'adam', displayName: null },
        { username: 'mia', displayName: 'Mia M' },
      ],
      total: 3,
    });
    expect(await plannedBlocks(runs.pool, runId + 1000, 10)).toEqual({ users: [], total: 0 });
  });

  it('finds runs held at least so many hours, since their last way into held', async () => {
    const runId = await insertRun('ready');
    await transitionRun(runs.pool, runId, 'hold', { holdReason: 'first_run', holdDetail: 'check it' });
    expect(await heldRunsOlderThan(runs.pool, 1)).toEqual([]);
    // Held 30 hours ago (start-sync), then the worker's plan held it again 29 hours ago.
    await runs.pool.query(`UPDATE runs.run SET updated_at = now() - interval '29 hours' WHERE id = $1`, [runId]);
    const [held, ...more] = await heldRunsOlderThan(runs.pool, 24);
    expect(more).toEqual([]);
    expect(held).toMatchObject({ runId, holdReason: 'first_run', holdDetail: 'check it' });
    expect(held!.heldForMs).toBeGreaterThanOrEqual(29 * 3_600_000);
    expect(held!.heldForMs).toBeLessThan(29 * 3_600_000 + 60_000);
    expect(await heldRunsOlderThan(runs.pool, 29.5)).toEqual([]);
    // Applied: no longer held, whatever its age.
    await transitionRun(runs.pool, runId, 'queue');
    expect(await heldRunsOlderThan(runs.pool, 24)).toEqual([]);
  });
});
