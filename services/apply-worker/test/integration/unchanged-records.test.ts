/**
 * Records unchanged since the last completed run are not transformed when the run's transform
 * fingerprint (control file, profile schema, managed groups, engine version) is the one the directory was
 * last verified under. Skipping must never change an outcome: two databases get the same runs, one
 * worker skips and the other always transforms, and after every run both hold the same directory,
 * history, last records, plan, log, counts and events. The skipping worker's own report shows when it
 * skipped, so each step also checks that the fingerprint was (or was not) trusted.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRun } from '../../src/usecases/apply-run.js';
import type { TransformStats } from '../../src/usecases/transform-stage.js';
import {
  createHarness,
  createRunningRun,
  directorySnapshot,
  logText,
  outboxSubjects,
  runRow,
  setConfig,
  type Harness,
} from '../support/harness.js';
import { people, person, simpleConfig, simpleControl } from '../support/simple-feed.js';

let skipping: Harness;
let transforming: Harness;
/** The skipping worker's 'run processed' reports. */
const reports: Array<{ stats: TransformStats }> = [];
const reportLog = pino(
  { level: 'info' },
  new Writable({
    write(line: Buffer, _enc, done) {
      const entry = JSON.parse(line.toString()) as { msg: string };
      if (entry.msg === 'run processed') reports.push(entry as unknown as (typeof reports)[number]);
      done();
    },
  }),
);

const config = { ...simpleConfig, maxBlockPercent: 50, maxBlockCount: null };

beforeAll(async () => {
  [skipping, transforming] = await Promise.all([createHarness(), createHarness()]);
  for (const h of [skipping, transforming]) await setConfig(h.pool, config);
});
afterAll(async () => Promise.all([skipping?.close(), transforming?.close()]));

/** Runs the same files through both workers; returns both states and the skipping worker's report. */
async function applyBoth(files: { _control?: object; users: object[] }) {
  const states = [];
  for (const h of [skipping, transforming]) {
    const runId = await createRunningRun(h, { _control: files._control ?? simpleControl, users: files.users });
    const skipUnchanged = h === skipping;
    const log = skipUnchanged ? reportLog : h.log;
    const outcome = await processRun({ pool: h.pool, objects: h.objects, log, skipUnchanged }, runId);
    const { counts, plan_digest, error_count, status } = await runRow(h.pool, runId);
    const rows = async (sql: string) => (await h.pool.query(sql, [runId])).rows;
    states.push({
      outcome,
      run: { counts, plan_digest, error_count, status },
      directory: await directorySnapshot(h.pool),
      history: await rows(
        `SELECT u.username, h.action, h.changes::text FROM directory.history h
         JOIN directory."user" u ON u.id = h.user_id WHERE h.run_id = $1 ORDER BY u.username`,
      ),
      lastRecords: await rows(
        `SELECT u.username, l.record::text FROM directory.last_record l
         JOIN directory."user" u ON u.id = l.user_id WHERE l.run_id = $1 ORDER BY u.username`,
      ),
      plan: await rows('SELECT username, action, changes::text FROM runs.run_plan WHERE run_id = $1 ORDER BY username'),
      log: await logText(h.pool, runId),
      events: await outboxSubjects(h.pool),
    });
  }
  expect(states[0]).toEqual(states[1]);
  return { ...states[0]!, report: reports.at(-1)!.stats };
}

describe('records unchanged since the last completed run', () => {
  it('are skipped only under the same fingerprint, and skipping changes no outcome', async () => {
    const feed = people(30, (n) => (n % 4 === 0 ? { GROUP: 'students' } : {}));
    feed[5] = person(5, { EMAIL: '' }); // incomplete: u5 is not created
    feed[9] = person(9, { GROUP: 'admins' }); // unknown group: created with the error flag

    const first = await applyBoth({ users: feed });
    expect(first.run.counts).toMatchObject({ created: 29 });
    expect(first.report.skipped).toBe(0); // nothing verified yet

    // Same files: every clean user is skipped; u9 (error flag) is re-applied and u5 is still incomplete.
    const same = await applyBoth({ users: feed });
    expect(same.run.counts).toMatchObject({ updated: 1, unchanged: 28 });
    expect(same.report).toEqual({
      records: 30,
      validRecords: 29,
      failedRecords: 1,
      errorLines: 2,
      unchanged: 28,
      skipped: 28,
    });

    // A changed record is transformed; the others are skipped.
    const renamed = feed.map((r, n) => (n === 3 ? person(3, { FIRST: 'Renamed' }) : r));
    const one = await applyBoth({ users: renamed });
    expect(one.run.counts).toMatchObject({ updated: 2, unchanged: 27 });
    expect(one.report.skipped).toBe(27);

    // An existing user's record turns invalid and stays so: the user is left as it was and flagged, and the
    // second time, though the raw record is the one stored, it is transformed and its errors logged again.
    const broken = renamed.map((r, n) => (n === 7 ? person(7, { EMAIL: '' }) : r));
    const brokenOnce = await applyBoth({ users: broken });
    const brokenTwice = await applyBoth({ users: broken });
    for (const run of [brokenOnce, brokenTwice]) {
      expect(run.log.filter((l) => l.includes('u7')).length).toBeGreaterThan(0);
      expect(run.directory.u7).toMatchObject({ error: true, email: 'u7@example.org' });
    }
    expect(brokenTwice.report.skipped).toBe(27);

    // Another control file (the department tag renamed): nothing is skipped, and every user is updated.
    const control = {
      ...simpleControl,
      instructions: simpleControl.instructions.map((i) => (i.destination === 'user:tags' ? { ...i, name: 'dept' } : i)),
    };
    const remapped = await applyBoth({ _control: control, users: renamed });
    expect(remapped.report.skipped).toBe(0);
    expect(remapped.run.counts).toMatchObject({ updated: 29 });
    const again = await applyBoth({ _control: control, users: renamed });
    expect(again.report.skipped).toBe(28);

    // Other managed groups: the students group is no longer managed, so its members change.
    for (const h of [skipping, transforming])
      await setConfig(h.pool, { ...config, managedGroups: [{ code: 'staff', name: 'Staff' }] });
    const regrouped = await applyBoth({ _control: control, users: renamed });
    expect(regrouped.report.skipped).toBe(0);
    expect(regrouped.run.counts.updated).toBeGreaterThanOrEqual(7);

    // An admin's error flag (lookup's SetErrorState) re-applies that user although the record is as stored.
    const settled = await applyBoth({ _control: control, users: renamed });
    expect(settled.report.skipped).toBe(settled.run.counts.unchanged);
    for (const h of [skipping, transforming])
      await h.pool.query(`UPDATE directory."user" SET error = true WHERE username = 'u13'`);
    const flagged = await applyBoth({ _control: control, users: renamed });
    expect(flagged.run.counts.updated).toBe(settled.run.counts.updated + 1);
    expect(flagged.report.skipped).toBe(settled.report.skipped - 1);

    // A later record for a user whose first record was skipped is still a duplicate.
    const duplicated = [...renamed, person(20, { FIRST: 'Second' })];
    const dup = await applyBoth({ _control: control, users: duplicated });
    expect(dup.log).toContain('ERROR: Duplicate username: u20 (ignoring record 30)');
    expect(dup.directory.u20).toMatchObject({ name_first: 'First20' });
  });
});
