/**
 * Reference §2.11 across two runs, with hazard H2 fixed: the documented creates, skips, errors and
 * blocks; run 2 is held for its planned block (1 of 2 in-feed users) and applies exactly its preview.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRun } from '../../src/usecases/apply-run.js';
import {
  approve,
  createHarness,
  createRunningRun,
  directorySnapshot,
  logText,
  outboxSubjects,
  runRow,
  setConfig,
  type Harness,
} from '../support/harness.js';
import { exampleConfig, exampleControl, run1People, run2People } from '../support/worked-example.js';

let h: Harness;
const deps = () => ({ pool: h.pool, objects: h.objects, log: h.log });

beforeAll(async () => {
  h = await createHarness();
  await setConfig(h.pool, exampleConfig);
});
afterAll(async () => h?.close());

describe('the worked example (reference §2.11)', () => {
  let run1 = 0;

  it('run 1 creates jb1001 and js2002, logs four errors and skips the rest', async () => {
    run1 = await createRunningRun(h, { _control: exampleControl, people: run1People });
    expect(await processRun(deps(), run1)).toBe('complete');

    expect(await logText(h.pool, run1)).toEqual([
      'START:',
      'create jb1001',
      'create js2002',
      'ERROR: Duplicate username: js2002 (ignoring record 2)',
      'ERROR: Value in input data cannot be mapped for input field DEPT: PHYS (record 3, user ab3003)',
      'ERROR: Missing values in user: email (record 3, user ab3003)',
      'Record has missing data for username ab3003 (ignoring)',
      'ERROR: No username in record 4: {"FIRST":"No","LAST":"Identifier","EMAIL":"x@example.ac.uk"}',
      '0 user records had no changes',
      'END:',
    ]);
    const run = await runRow(h.pool, run1);
    expect(run.status).toBe('complete');
    expect(run.error_count).toBe(4);
    expect(run.counts).toMatchObject({ created: 2, updated: 0, blocked: 0, unchanged: 0, errors: 3 });

    const users = await directorySnapshot(h.pool);
    expect(Object.keys(users)).toEqual(['jb1001', 'js2002']);
    expect(users.jb1001).toMatchObject({
      title: 'Dr',
      name_first: 'Joe',
      name_last: 'Bloggs',
      email: 'joe.bloggs@example.ac.uk',
      active: true,
      in_feed: true,
      error: false,
      groups: ['hres:group:researchers'],
      profile: {
        'std:attribute:job-title': ['Lecturer', 'Admissions tutor'],
        'hres:attribute:research-institute': ['example:research-institute:chemistry'],
        'std:attribute:telephone': ['+441632960123'],
      },
    });
    expect(users.js2002).toMatchObject({ name_first: 'Jane', groups: ['hres:group:admin-staff'] });

    const { rows: last } = await h.pool.query(
      `SELECT u.username, l.record, l.run_id FROM directory.last_record l JOIN directory."user" u ON u.id = l.user_id
       ORDER BY 1`,
    );
    expect(last.map((r) => [r.username, r.record.FIRST, Number(r.run_id)])).toEqual([
      ['jb1001', 'Joe', run1],
      ['js2002', 'Jane', run1],
    ]);
    const { rows: history } = await h.pool.query(
      `SELECT h.action, h.changes AS own, p.changes AS planned FROM directory.history h
       JOIN directory."user" u ON u.id = h.user_id JOIN runs.run_plan p ON p.run_id = h.run_id AND p.username = u.username
       ORDER BY h.id`,
    );
    expect(history.map((r) => r.action)).toEqual(['create', 'create']);
    // A create's change list is stored once, in the run's plan; its history row points there.
    expect(history.map((r) => r.own)).toEqual([null, null]);
    expect(history[0].planned).toContainEqual({ field: 'email', before: null, after: 'joe.bloggs@example.ac.uk' });

    expect(await outboxSubjects(h.pool)).toEqual(['sync.run.completed', 'sync.user.changed', 'sync.user.changed']);
  });

  it('run 2 is held for blocking js2002, then applies exactly the preview once approved', async () => {
    const run2 = await createRunningRun(h, { _control: exampleControl, people: run2People });
    expect(await processRun(deps(), run2)).toBe('held');
    const held = await runRow(h.pool, run2);
    expect(held).toMatchObject({
      status: 'held',
      hold_reason: 'block_threshold',
      hold_detail: 'would block 1 user (50% of 2; limit 10%)',
    });
    expect(held.plan_counts).toMatchObject({ created: 1, unchanged: 1, blocked: 1 });
    const { rows: plan } = await h.pool.query(
      'SELECT username, action FROM runs.run_plan WHERE run_id = $1 ORDER BY username',
      [run2],
    );
    expect(plan).toEqual([
      { username: 'ab3003', action: 'create' },
      { username: 'js2002', action: 'block' },
    ]);
    expect((await directorySnapshot(h.pool)).js2002!.active).toBe(true);

    await approve(h.pool, run2);
    expect(await processRun(deps(), run2)).toBe('complete');
    expect(await logText(h.pool, run2)).toEqual([
      'START:',
      'create ab3003',
      '1 user records had no changes',
      'block js2002',
      'Blocked 1 users',
      'END:',
    ]);
    const users = await directorySnapshot(h.pool);
    expect(users.js2002).toMatchObject({ active: false, in_feed: false });
    expect(users.ab3003).toMatchObject({
      active: true,
      email: 'alan.brown@example.ac.uk',
      groups: ['hres:group:researchers'],
    });
    expect(users.jb1001).toMatchObject({ active: true, in_feed: true });
    const run = await runRow(h.pool, run2);
    expect(run.counts).toMatchObject({ created: 1, unchanged: 1, blocked: 1, errors: 0 });
    expect(run.error_count).toBe(0);
  });

  it('a redelivered message for a finished run does nothing', async () => {
    const before = await directorySnapshot(h.pool);
    const events = await outboxSubjects(h.pool);
    expect(await processRun(deps(), 1)).toBe('ignored');
    expect(await directorySnapshot(h.pool)).toEqual(before);
    expect(await outboxSubjects(h.pool)).toEqual(events);
  });
});
