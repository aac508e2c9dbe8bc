/**
 * Undo a run (issue 18): a run that creates, updates (fields, tags, groups, the error flag), blocks and
 * reactivates is undone by a compensating run that is held for review with its own plan, then applied: the
 * directory's users, memberships and groups are byte for byte what they were before the run (every column,
 * bookkeeping included). Users a later run changed again are left alone unless included, and re-uploading the
 * undone file afterwards plans its changes again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { getRun, openUndoRun } from '@usersync/run-state';
import { processRun } from '../../src/usecases/apply-run.js';
import {
  approve,
  cancel,
  createHarness,
  createRunningRun,
  logText,
  runRow,
  setConfig,
  type Harness,
} from '../support/harness.js';
import { people, person, simpleConfig, simpleControl } from '../support/simple-feed.js';

let h: Harness;
const deps = () => ({ pool: h.pool, objects: h.objects, log: h.log });
const failure = async (id: number) => (await runRow(h.pool, id)).failure_message;

/** Every row of the three tables as PostgreSQL prints it (all columns), in key order. */
async function dump(pool: pg.Pool): Promise<string> {
  const tables = [
    `SELECT u::text AS t FROM directory."user" u ORDER BY id`,
    `SELECT m::text AS t FROM directory.membership m ORDER BY user_id, group_code, source`,
    `SELECT g::text AS t FROM directory."group" g ORDER BY code`,
  ];
  const parts: string[] = [];
  for (const sql of tables) parts.push((await pool.query<{ t: string }>(sql)).rows.map((r) => r.t).join('\n'));
  return parts.join('\n--\n');
}

async function applied(files: object): Promise<number> {
  const runId = await createRunningRun(h, { _control: simpleControl, users: files });
  expect(await processRun(deps(), runId)).toBe('complete');
  return runId;
}

async function undoOf(runId: number, include: string[] = []): Promise<number> {
  const undo = await openUndoRun(h.pool, { undoOf: runId, include, detail: `restores what run ${runId} changed` });
  const outcome = await processRun(deps(), undo.id);
  expect([outcome, await failure(undo.id)]).toEqual(['held', null]);
  return undo.id;
}

const planOf = async (runId: number) =>
  (
    await h.pool.query<{ username: string; action: string }>(
      'SELECT username, action FROM runs.run_plan WHERE run_id = $1 ORDER BY username',
      [runId],
    )
  ).rows;

let before: string;
let undone: number;
// The run to undo: u0 renamed, u1 moves group, u2's department changes (and its error flag clears), u3 leaves
// (blocked), u9 comes back (reactivated), u10 and u11 are new (created).
const runUsers = () => [
  person(0, { LAST: 'Renamed' }),
  person(1, { GROUP: 'students' }),
  person(2, { DEPT: 'd2' }),
  ...[4, 5, 6, 7, 8, 9].map((n) => person(n)),
  person(10),
  person(11, { GROUP: 'students' }),
];

beforeAll(async () => {
  h = await createHarness();
  await setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 50 });
  await applied(people(10));
  await applied(people(9)); // u9 leaves: blocked
  // A manual membership (never the sync's to touch) and an error flag set by lookup.
  await h.pool.query(`INSERT INTO directory."group" (code, name, managed) VALUES ('library', 'Library', false)`);
  await h.pool.query(
    `INSERT INTO directory.membership (user_id, group_code, source)
     SELECT id, 'library', 'manual' FROM directory."user" WHERE username IN ('u1', 'u10')`,
  );
  await h.pool.query(`UPDATE directory."user" SET error = true WHERE username = 'u2'`);
  before = await dump(h.pool);
  undone = await applied(runUsers().filter((r) => r.ID !== 'u3'));
  expect((await runRow(h.pool, undone)).counts).toMatchObject({ created: 2, updated: 3, reactivated: 1, blocked: 1 });
  expect(await dump(h.pool)).not.toBe(before);
});
afterAll(async () => h?.close());

describe('undo a run', () => {
  it('holds the undo with its own plan: deletes the creates, inverts the rest', async () => {
    const undo = await undoOf(undone);
    const run = await runRow(h.pool, undo);
    expect(run.status).toBe('held');
    expect(run.hold_reason).toBe('undo');
    expect(run.plan_counts).toMatchObject({ deleted: 2, updated: 3, reactivated: 1, blocked: 1 });
    expect(await planOf(undo)).toEqual([
      { username: 'u0', action: 'update' },
      { username: 'u1', action: 'update' },
      { username: 'u10', action: 'delete' },
      { username: 'u11', action: 'delete' },
      { username: 'u2', action: 'update' },
      { username: 'u3', action: 'reactivate' },
      { username: 'u9', action: 'block' },
    ]);
    const { rows } = await h.pool.query(`SELECT changes FROM runs.run_plan WHERE run_id = $1 AND username = 'u0'`, [
      undo,
    ]);
    expect(rows[0].changes).toEqual([{ field: 'nameLast', before: 'Renamed', after: 'Last0' }]);
    // Nothing changed yet.
    expect(await dump(h.pool)).not.toBe(before);
    await cancel(h.pool, undo);
  });

  it('applied, leaves users, memberships and groups byte for byte as before the run', async () => {
    const undo = await undoOf(undone);
    await approve(h.pool, undo);
    expect(await processRun(deps(), undo)).toBe('complete');
    expect(await dump(h.pool)).toBe(before);
    const run = await getRun(h.pool, undo);
    expect(run.counts).toMatchObject({ deleted: 2, updated: 3, reactivated: 1, blocked: 1 });
    const log = await logText(h.pool, undo);
    expect(log).toContain(`Undo of run ${undone}: deletes 2 users it created, restores 3, reactivates 1, blocks 1`);
    expect(log).toContain('undo delete u10');
    // Its own history rows; the undone run's stay.
    const hist = await h.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM directory.history WHERE run_id = $1',
      [undo],
    );
    expect(hist.rows[0]!.n).toBe(7);
  });

  it('re-uploading the undone file plans its changes again (no skip on stale digests)', async () => {
    const again = await applied(runUsers().filter((r) => r.ID !== 'u3'));
    expect((await runRow(h.pool, again)).counts).toMatchObject({ created: 2, updated: 3, reactivated: 1, blocked: 1 });
  });

  it('leaves users a later run changed again alone, unless the admin includes them', async () => {
    // The later run renames u0 once more (and changes nobody else).
    const users = runUsers().filter((r) => r.ID !== 'u3');
    users[0] = person(0, { LAST: 'Later' });
    const later = await applied(users);
    const last = (await getRun(h.pool, later)).id;
    const runToUndo = last - 1;
    const undo = await undoOf(runToUndo);
    const run = await getRun(h.pool, undo);
    expect(run.undoSkipped).toEqual({ count: 1, users: [{ username: 'u0', laterRunId: later }] });
    expect((await planOf(undo)).map((p) => p.username)).not.toContain('u0');
    await cancel(h.pool, undo);

    const withU0 = await undoOf(runToUndo, ['u0']);
    expect((await getRun(h.pool, withU0)).undoSkipped).toEqual({ count: 0, users: [] });
    const { rows } = await h.pool.query(`SELECT changes FROM runs.run_plan WHERE run_id = $1 AND username = 'u0'`, [
      withU0,
    ]);
    // From the state now (the later run's) back to the value before the undone run.
    expect(rows[0].changes).toEqual([{ field: 'nameLast', before: 'Later', after: 'Last0' }]);
    await approve(h.pool, withU0);
    expect(await processRun(deps(), withU0)).toBe('complete');
    const u0 = await h.pool.query(`SELECT name_last, desired_digest FROM directory."user" WHERE username = 'u0'`);
    expect(u0.rows[0]).toEqual({ name_last: 'Last0', desired_digest: null });
  });

  it('holds an approved undo again when the directory moved since its preview', async () => {
    const target = await applied(people(9, (n) => ({ DEPT: n < 3 ? 'd3' : 'd1' })));
    const undo = await undoOf(target);
    // Someone changed a value the undo restores: its plan is no longer the one previewed.
    await h.pool.query(`UPDATE directory."user" SET tags = '{"department":"d9"}' WHERE username = 'u1'`);
    await approve(h.pool, undo);
    expect(await processRun(deps(), undo)).toBe('held');
    expect((await runRow(h.pool, undo)).hold_detail).toContain('directory changed since preview');
  });
});
