import { describe, expect, it } from 'vitest';
import { appendRunLog } from './run-log.js';
import { readErrorGroups, storeErrorGroups } from './run-error-groups.js';
import { useRunsDatabase } from './runs-database.fixture.js';

const runs = useRunsDatabase();

describe('error groups', () => {
  it('groups ERROR lines by message without record, user and value, largest first', async () => {
    const { rows } = await runs.pool.query<{ id: string }>(
      `INSERT INTO runs.run (expected_files, status) VALUES ('{_control,users}', 'cancelled') RETURNING id`,
    );
    const runId = Number(rows[0]!.id);
    const error = (text: string, username: string | null) => ({ level: 'error' as const, username, text });
    await appendRunLog(
      runs.pool,
      runId,
      [
        { level: 'info', username: null, text: 'START: sync' },
        error('ERROR: Invalid email address for EMAIL: "x@" (record 2, user bob)', 'bob'),
        error('ERROR: Invalid email address for EMAIL: "nope" (record 5, user ann)', 'ann'),
        error('ERROR: Invalid email address for EMAIL: "y" (record 9, user carl)', 'carl'),
        error('ERROR: No username in record 3: {"FIRST":"Nobody"}', null),
        error('ERROR: Duplicate username: dora (ignoring record 7)', 'dora'),
        error('ERROR: Duplicate username: dan (ignoring record 8)', 'dan'),
        error('ERROR: Profile attribute std:attribute:room is not defined (record 4, user eve)', 'eve'),
        { level: 'info', username: 'eve', text: 'create eve' },
      ],
      0,
    );
    const expected = [
      { message: 'Invalid email address for EMAIL', count: 3, username: 'ann' },
      { message: 'Duplicate username', count: 2, username: 'dan' },
      { message: 'No username in record', count: 1, username: null },
      { message: 'Profile attribute std:attribute:room is not defined', count: 1, username: 'eve' },
    ];
    expect(await storeErrorGroups(runs.pool, runId)).toEqual(expected);
    expect(await readErrorGroups(runs.pool, runId)).toEqual(expected);
  });
});
