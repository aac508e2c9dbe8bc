/** Hazard H2 fixed (and its switch), reactivation, manual memberships, force update and error state. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRun } from '../../src/usecases/apply-run.js';
import {
  createHarness,
  createRunningRun,
  directorySnapshot,
  logText,
  runRow,
  setConfig,
  type Harness,
} from '../support/harness.js';
import { people, person, simpleConfig, simpleControl } from '../support/simple-feed.js';

let h: Harness;
const deps = () => ({ pool: h.pool, objects: h.objects, log: h.log });
const apply = async (records: object[]) => {
  const runId = await createRunningRun(h, { _control: simpleControl, users: records });
  const outcome = await processRun(deps(), runId);
  return { runId, outcome };
};

beforeAll(async () => {
  h = await createHarness();
  // Generous limits: these tests are about directory rules, not holds.
  await setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 100, maxBlockCount: null });
});
afterAll(async () => h?.close());

describe('directory rules', () => {
  it('leaves a user whose record is invalid untouched and flags them in error (H2 fixed)', async () => {
    expect((await apply(people(20))).outcome).toBe('complete');
    const records = people(20);
    records[3] = person(3, { EMAIL: '', FIRST: 'Changed' });
    const { runId, outcome } = await apply(records);
    expect(outcome).toBe('complete');
    const u3 = (await directorySnapshot(h.pool)).u3!;
    expect(u3).toMatchObject({ active: true, in_feed: true, error: true, name_first: 'First3' });
    expect(await logText(h.pool, runId)).toContain('Record has missing data for username u3 (ignoring)');
    // In error state the user is re-applied by the next run even with unchanged data.
    const again = await apply(people(20));
    expect(await logText(h.pool, again.runId)).toContain('update u3');
    expect((await directorySnapshot(h.pool)).u3!.error).toBe(false);
  });

  it("blocks such a user with blockInvalidRecords (Haplo's behaviour)", async () => {
    await setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 100, maxBlockCount: null, blockInvalidRecords: true });
    const records = people(20);
    records[4] = person(4, { EMAIL: '' });
    const { runId } = await apply(records);
    expect(await logText(h.pool, runId)).toContain('block u4');
    expect((await directorySnapshot(h.pool)).u4).toMatchObject({ active: false, in_feed: false });
    await setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 100, maxBlockCount: null });
  });

  it('reactivates a blocked user who is back in the feed', async () => {
    const { runId } = await apply(people(20));
    expect(await logText(h.pool, runId)).toContain('reactivate u4');
    expect((await directorySnapshot(h.pool)).u4).toMatchObject({ active: true, in_feed: true, groups: ['staff'] });
    const { rows } = await h.pool.query(
      `SELECT h.action FROM directory.history h JOIN directory."user" u ON u.id = h.user_id WHERE u.username = 'u4' ORDER BY h.id`,
    );
    expect(rows.map((r) => r.action)).toEqual(['create', 'block', 'reactivate']);
  });

  it('keeps manual memberships and removes only what the sync added', async () => {
    await h.pool.query(
      `INSERT INTO directory."group" (code, name) VALUES ('library', 'Library') ON CONFLICT DO NOTHING`,
    );
    await h.pool.query(
      `INSERT INTO directory.membership (user_id, group_code, source)
       SELECT id, g, 'manual' FROM directory."user", unnest(ARRAY['staff', 'library']) AS g WHERE username = 'u5'`,
    );
    const records = people(20);
    records[5] = person(5, { GROUP: 'students' });
    const { runId } = await apply(records);
    expect(await logText(h.pool, runId)).toContain('update u5');
    expect((await directorySnapshot(h.pool)).u5!.groups).toEqual(['library (manual)', 'staff (manual)', 'students']);
    const { rows } = await h.pool.query(`SELECT changes FROM runs.run_plan WHERE run_id = $1 AND username = 'u5'`, [
      runId,
    ]);
    expect(rows[0].changes).toEqual([{ field: 'groups', before: ['staff'], after: ['students'] }]);
  });

  it('needs no force update for a changed mapping, and force update re-applies everyone', async () => {
    const control = {
      ...simpleControl,
      instructions: [...simpleControl.instructions, { source: 'LAST', destination: 'user:tags', name: 'surname' }],
    };
    const records = people(20);
    records[5] = person(5, { GROUP: 'students' });
    const runId = await createRunningRun(h, { _control: control, users: records });
    await processRun(deps(), runId);
    expect((await logText(h.pool, runId)).filter((l) => l.startsWith('update '))).toHaveLength(20);

    await setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 100, maxBlockCount: null, updateAll: true });
    const forced = await createRunningRun(h, { _control: control, users: records });
    await processRun(deps(), forced);
    expect(await logText(h.pool, forced)).toContain('0 user records had no changes');
    await setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 100, maxBlockCount: null });
  });

  it('drops a group the config does not manage, with an ERROR line, and flags the user', async () => {
    const records = people(20);
    records[7] = person(7, { GROUP: 'admins' });
    const { runId } = await apply(records);
    expect(await logText(h.pool, runId)).toContain('ERROR: Unknown group: admins (record 7, user u7)');
    expect((await directorySnapshot(h.pool)).u7).toMatchObject({ groups: [], error: true });
  });

  describe('the baseline (unchanged records never reach PostgreSQL)', () => {
    const lastRecord = async (username: string) => {
      const { rows } = await h.pool.query(
        `SELECT l.run_id, l.record FROM directory.last_record l JOIN directory."user" u ON u.id = l.user_id
         WHERE u.username = $1`,
        [username],
      );
      return rows[0] as { run_id: string; record: Record<string, unknown> };
    };
    const historyCount = async () =>
      Number((await h.pool.query('SELECT count(*) AS n FROM directory.history')).rows[0].n);

    it('counts an unchanged user as unchanged: no history, no new last record', async () => {
      await apply(people(20));
      const before = { history: await historyCount(), record: await lastRecord('u5') };
      const { runId } = await apply(people(20));
      expect((await runRow(h.pool, runId)).counts).toMatchObject({ unchanged: 20, updated: 0, blocked: 0 });
      expect(await historyCount()).toBe(before.history);
      expect(await lastRecord('u5')).toEqual(before.record);
    });

    it('stores the new raw record of a user whose desired state did not change', async () => {
      const records = people(20);
      records[5] = person(5, { UNMAPPED: 'new value' });
      const { runId } = await apply(records);
      expect((await runRow(h.pool, runId)).counts).toMatchObject({ unchanged: 20, updated: 0 });
      const stored = await lastRecord('u5');
      expect(Number(stored.run_id)).toBe(runId);
      expect(stored.record).toMatchObject({ ID: 'u5', UNMAPPED: 'new value' });
    });

    it('re-applies a user an admin flagged in error, although the record is unchanged', async () => {
      const records = people(20);
      records[5] = person(5, { UNMAPPED: 'new value' });
      await h.pool.query(`UPDATE directory."user" SET error = true WHERE username = 'u6'`);
      const { runId } = await apply(records);
      expect((await runRow(h.pool, runId)).counts).toMatchObject({ unchanged: 19, updated: 1 });
      expect(await logText(h.pool, runId)).toContain('update u6');
      expect((await directorySnapshot(h.pool)).u6!.error).toBe(false);
    });

    it('blocks exactly the users the file no longer names', async () => {
      const { runId } = await apply(people(18));
      expect((await runRow(h.pool, runId)).counts).toMatchObject({ unchanged: 18, blocked: 2 });
      const log = await logText(h.pool, runId);
      expect(log.filter((l) => l.startsWith('block '))).toEqual(['block u18', 'block u19']);
    });
  });
});
