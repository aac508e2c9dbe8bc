import { describe, expect, it } from 'vitest';
import { useRunsDatabase } from './runs-database.fixture.js';
import { copyRunPlanRows, listChangedPlanUsers, loadRunForApply } from './run-execution.js';

const D1 = '1'.repeat(64);
const D2 = '2'.repeat(64);
const runs = useRunsDatabase();

async function newRun(): Promise<number> {
  const { rows } = await runs.pool.query<{ id: string }>(
    `INSERT INTO runs.run (expected_files, status) VALUES ('{_control,users}', 'cancelled') RETURNING id`,
  );
  return Number(rows[0]!.id);
}

describe('run execution', () => {
  it('loads a run with its preview digest and files in name order', async () => {
    const id = await newRun();
    await runs.pool.query(
      `INSERT INTO runs.run_file (run_id, name, digest, size) VALUES ($1, 'users', $2, 20), ($1, '_control', $3, 10)`,
      [id, D2, D1],
    );
    const before = await loadRunForApply(runs.pool, id);
    expect(before.previewDigest).toBeNull();
    expect(before.files).toEqual([
      { name: '_control', digest: D1, size: 10 },
      { name: 'users', digest: D2, size: 20 },
    ]);
    expect(before.run.id).toBe(id);
    await runs.pool.query(`UPDATE runs.run SET plan_digest = 'abc' WHERE id = $1`, [id]);
    expect((await loadRunForApply(runs.pool, id)).previewDigest).toBe('abc');
  });

  it('COPYs plan rows and reads the changed users back with their fields', async () => {
    const id = await newRun();
    const rows = [
      `${id}\tbob\tcreate\t[{"field":"email","before":null,"after":"b@x"}]\n`,
      `${id}\tann\tblock\t[{"field":"active","before":true,"after":false}]\n`,
      `${id}\ttab\\there\tupdate\t[]\n`,
    ];
    const client = await runs.pool.connect();
    try {
      await copyRunPlanRows(client, [Buffer.from(rows[0]! + rows[1]!), Buffer.from(rows[2]!)]);
      await copyRunPlanRows(client, []);
    } finally {
      client.release();
    }
    expect(await listChangedPlanUsers(runs.pool, id, 10)).toEqual([
      { username: 'ann', action: 'block', fields: ['active'] },
      { username: 'bob', action: 'create', fields: ['email'] },
      { username: 'tab\there', action: 'update', fields: [] },
    ]);
    expect(await listChangedPlanUsers(runs.pool, id, 1)).toHaveLength(1);
  });
});
