/**
 * The recycle bin (issue 18 item 2): a user a run blocks for being absent from the feed keeps everything for
 * the grace period; the recycle timer (at a clock the test moves) then keeps, anonymises or deletes them as
 * configured, each step in history, the audit trail and the outbox; a user returning within the grace period
 * is reactivated with their memberships; after anonymise or delete the username is a new account; a returning
 * user whose stable key differs holds the run (reused_username), even when approved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRun } from '../../src/usecases/apply-run.js';
import { recyclePass } from '../../src/usecases/recycle-timer.js';
import {
  approve,
  cancel,
  createHarness,
  createRunningRun,
  runRow,
  setConfig,
  type Harness,
} from '../support/harness.js';
import { people, person, simpleConfig, simpleControl } from '../support/simple-feed.js';

let h: Harness;
const DAY = 86_400_000;
const at = (days: number) => () => new Date(Date.now() + days * DAY);
const pass = (days: number) => recyclePass({ pool: h.pool, log: h.log, now: at(days) });
const deps = () => ({ pool: h.pool, objects: h.objects, log: h.log });
const run = async (users: object[]) => {
  const id = await createRunningRun(h, { _control: simpleControl, users });
  return { id, outcome: await processRun(deps(), id) };
};
const config = (over: object) => setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 50, ...over });
const user = async (username: string) =>
  (
    await h.pool.query(
      `SELECT id, username, name_first, name_last, email, active, in_feed, managed, tags, profile, blocked_at, anonymised_at,
         ARRAY(SELECT m.group_code || ':' || m.source FROM directory.membership m WHERE m.user_id = u.id ORDER BY 1) AS groups
       FROM directory."user" u WHERE username = $1`,
      [username],
    )
  ).rows[0];
const historyOf = async (userId: number) =>
  (
    await h.pool.query(
      `SELECT run_id, action, changes::text AS changes, reason FROM directory.history WHERE user_id = $1 ORDER BY id`,
      [userId],
    )
  ).rows;
/** Everyone but the given numbers (u0 … u19). */
const without = (...gone: number[]) => people(20).filter((_, n) => !gone.includes(n));

beforeAll(async () => {
  h = await createHarness();
  await config({});
  expect((await run(people(20))).outcome).toBe('complete');
  // A manual membership survives everything the sync does while the user is whole.
  await h.pool.query(`INSERT INTO directory."group" (code, name) VALUES ('library', 'Library') ON CONFLICT DO NOTHING`);
  await h.pool.query(
    `INSERT INTO directory.membership (user_id, group_code, source)
     SELECT id, 'library', 'manual' FROM directory."user" WHERE username IN ('u1', 'u2')`,
  );
});
afterAll(async () => h?.close());

describe('within the grace period', () => {
  it('stamps blocked_at when a run blocks a user, and a return reactivates them with their memberships', async () => {
    expect((await run(without(1))).outcome).toBe('complete');
    const blocked = await user('u1');
    expect(blocked).toMatchObject({ active: false, in_feed: false, groups: ['library:manual', 'staff:sync'] });
    expect(blocked.blocked_at).toBeInstanceOf(Date);
    // The timer at day 29 of 30 does nothing, whatever the step.
    await config({ recycleAfterGrace: 'delete', recycleGraceDays: 30 });
    expect(await pass(29)).toEqual({ skipped: false, step: 'delete', users: 0 });
    const back = await run(people(20));
    expect(back.outcome).toBe('complete');
    expect((await runRow(h.pool, back.id)).counts).toMatchObject({ reactivated: 1 });
    expect(await user('u1')).toMatchObject({
      id: blocked.id,
      active: true,
      in_feed: true,
      blocked_at: null,
      groups: ['library:manual', 'staff:sync'],
    });
  });
});

describe('after the grace period', () => {
  it('keeps the user blocked and whole when the step is keep', async () => {
    await config({ recycleAfterGrace: 'keep', recycleGraceDays: 30 });
    expect((await run(without(2))).outcome).toBe('complete');
    expect(await pass(31)).toEqual({ skipped: false, step: 'keep', users: 0 });
    expect(await user('u2')).toMatchObject({
      name_first: 'First2',
      active: false,
      groups: ['library:manual', 'staff:sync'],
    });
  });

  it('anonymises the user: tombstone username, nothing personal, history scrubbed, audited and announced', async () => {
    await config({ recycleAfterGrace: 'anonymise', recycleGraceDays: 30 });
    const before = await user('u2');
    await h.pool.query('DELETE FROM directory.outbox');
    expect(await pass(30.5)).toEqual({ skipped: false, step: 'anonymise', users: 1 });
    expect(await user('u2')).toBeUndefined();
    const gone = await user(`anonymised-${before.id}`);
    expect(gone).toMatchObject({
      name_first: '',
      name_last: '',
      email: '',
      tags: {},
      profile: {},
      active: false,
      in_feed: false,
      managed: false,
      blocked_at: null,
      groups: [],
    });
    expect(gone.anonymised_at).toBeInstanceOf(Date);
    const history = await historyOf(before.id);
    expect(history.map((r) => r.action)).toEqual(['create', 'block', 'anonymise']);
    expect(history.every((r) => r.changes === '[]')).toBe(true);
    expect(history.at(-1)).toMatchObject({ run_id: null, reason: 'anonymised after 30 days in the recycle bin' });
    const lastRecord = await h.pool.query('SELECT 1 FROM directory.last_record WHERE user_id = $1', [before.id]);
    expect(lastRecord.rowCount).toBe(0);
    const audit = await h.pool.query(`SELECT actor, detail FROM runs.run_audit WHERE action = 'recycle_anonymise'`);
    expect(audit.rows).toEqual([
      {
        actor: { kind: 'system', id: 'recycle-timer', displayName: 'usersync recycle timer' },
        detail: { users: 1, graceDays: 30, userIds: [Number(before.id)] },
      },
    ]);
    const events = await h.pool.query(`SELECT subject FROM directory.outbox`);
    expect(events.rows.map((r) => r.subject)).toEqual(['sync.user.changed']);
    // A second pass finds nobody: the tombstone is out of the bin.
    expect((await pass(60)).users).toBe(0);
  });

  it('gives a returning username a new account after anonymise', async () => {
    const back = await run(people(20));
    expect((await runRow(h.pool, back.id)).counts).toMatchObject({ created: 1 });
    expect(await user('u2')).toMatchObject({ name_first: 'First2', active: true, groups: ['staff:sync'] });
  });

  it('deletes the user, memberships, last record and history when the step is delete', async () => {
    await config({ recycleAfterGrace: 'delete', recycleGraceDays: 7 });
    expect((await run(without(3))).outcome).toBe('complete');
    const before = await user('u3');
    expect(await pass(6)).toMatchObject({ users: 0 });
    expect(await pass(8)).toEqual({ skipped: false, step: 'delete', users: 1 });
    expect(await user('u3')).toBeUndefined();
    expect(await historyOf(before.id)).toEqual([]);
    const rest = await h.pool.query(
      `SELECT (SELECT count(*) FROM directory.membership WHERE user_id = $1)::int AS m,
              (SELECT count(*) FROM directory.last_record WHERE user_id = $1)::int AS r`,
      [before.id],
    );
    expect(rest.rows[0]).toEqual({ m: 0, r: 0 });
    const back = await run(people(20));
    expect((await runRow(h.pool, back.id)).counts).toMatchObject({ created: 1 });
    expect((await user('u3')).id).not.toBe(before.id);
  });

  it('skips a pass while a run holds the apply lock', async () => {
    const other = await h.pool.connect();
    try {
      await other.query(`SELECT pg_advisory_lock('7585087275116500337'::bigint)`);
      expect(await pass(100)).toMatchObject({ skipped: true, users: 0 });
    } finally {
      await other.query(`SELECT pg_advisory_unlock('7585087275116500337'::bigint)`);
      other.release();
    }
  });
});

describe('a reused username', () => {
  it('holds the run when a blocked user returns with a different stable key, even when approved', async () => {
    await config({ recycleAfterGrace: 'keep', recycleStableKey: 'tags.department' });
    expect((await run(without(4, 5))).outcome).toBe('complete');
    // u4 comes back as the same person (same key); u5's username now belongs to someone else.
    const users = people(20).map((p, n) => (n === 5 ? person(5, { FIRST: 'Other', DEPT: 'd9' }) : p));
    const held = await run(users);
    expect(held.outcome).toBe('held');
    const row = await runRow(h.pool, held.id);
    expect(row.hold_reason).toBe('reused_username');
    expect(row.hold_detail).toBe(
      '1 user came back with a different tags.department, so the username now belongs to another person: u5 (d1 → d9)',
    );
    expect(await user('u5')).toMatchObject({ name_first: 'First5', active: false });

    await approve(h.pool, held.id);
    expect(await processRun(deps(), held.id)).toBe('held');
    expect((await runRow(h.pool, held.id)).hold_reason).toBe('reused_username');
    expect(await user('u5')).toMatchObject({ name_first: 'First5', active: false });

    // Approving the rest without u5 applies u4's return and keeps u5 back in a held follow-up.
    await approve(h.pool, held.id, {
      actions: ['create', 'update', 'reactivate', 'block'],
      excludedUsernames: ['u5'],
      reason: 'not the same person',
    });
    expect(await processRun(deps(), held.id)).toBe('complete');
    expect(await user('u4')).toMatchObject({ active: true, blocked_at: null });
    expect(await user('u5')).toMatchObject({ name_first: 'First5', active: false });
    const followUp = await h.pool.query(`SELECT id FROM runs.run WHERE status = 'held' ORDER BY id DESC LIMIT 1`);
    if (followUp.rows[0]) await cancel(h.pool, Number(followUp.rows[0].id));
  });
});
