/**
 * LookupService end to end: the real app on free ports over a database whose directory the real
 * apply worker filled, run by run (apply-worker's own test harness creates and applies the runs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonV1, lookupV1 } from '@usersync/contracts';
import { NotFoundError, ValidationError, createGrpcClient, unary, type ServiceApp } from '@usersync/platform';
import { freePort } from '@usersync/devstack';
import { processRun } from '../../../apply-worker/src/usecases/apply-run.js';
import {
  createHarness,
  createRunningRun,
  logText,
  setConfig,
  type Harness,
} from '../../../apply-worker/test/support/harness.js';
import { people, simpleConfig, simpleControl } from '../../../apply-worker/test/support/simple-feed.js';
import { createApp, loadConfig } from '../../src/index.js';

const control = {
  ...simpleControl,
  instructions: [
    ...simpleControl.instructions,
    { source: 'JOB', destination: 'profile', name: 'std:attribute:job-title', multivalue: true },
  ],
};
const admin: commonV1.Actor = { kind: commonV1.ActorKind.ACTOR_KIND_ADMIN, id: '7', displayName: 'Ada Admin' };
const SHARED = 'Shared.Inbox@Example.org';
const { UserAction } = commonV1;

let h: Harness;
let app: ServiceApp;
let client: lookupV1.LookupServiceClient;
const runs: number[] = [];

type C = lookupV1.LookupServiceClient;
const lookup = (query: string) => unary<C, 'lookupUser'>(client, 'lookupUser', { query });
const history = (username: string, pageSize = 0, pageToken = '') =>
  unary<C, 'getUserHistory'>(client, 'getUserHistory', { username, pageSize, pageToken });
const setError = (username: string, actor: commonV1.Actor | undefined) =>
  unary<C, 'setErrorState'>(client, 'setErrorState', { username, actor });

/** Applies one run of `records` with the real worker; returns its id. */
async function apply(records: object[]): Promise<number> {
  const runId = await createRunningRun(h, { _control: control, users: records });
  expect(await processRun({ pool: h.pool, objects: h.objects, log: h.log }, runId)).toBe('complete');
  runs.push(runId);
  return runId;
}

const feed = (over: (n: number) => Record<string, unknown> = () => ({})) =>
  people(8, (n) => ({
    JOB: n === 0 ? 'Lecturer' : 'Clerk',
    ...(n === 1 || n === 2 ? { EMAIL: SHARED } : {}),
    ...over(n),
  }));

beforeAll(async () => {
  h = await createHarness();
  await setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 100, maxBlockCount: null });
  const [grpcPort, healthPort] = [await freePort(), await freePort()];
  app = await createApp(
    loadConfig({ DATABASE_URL: h.db.url, GRPC_PORT: String(grpcPort), HEALTH_PORT: String(healthPort) }),
    h.log,
  );
  await app.start();
  client = createGrpcClient(lookupV1.LookupServiceClient, `127.0.0.1:${grpcPort}`);

  // Run 1: everyone created. Run 2: u3 leaves the feed (blocked), u4's record is invalid (error),
  // u0 renamed. Run 3: u3 is back (reactivated), u0 renamed again; u4 still invalid.
  await apply(feed());
  await apply(feed((n) => (n === 0 ? { FIRST: 'Zero' } : n === 4 ? { EMAIL: '' } : {})).filter((r) => r.ID !== 'u3'));
  await apply(feed((n) => (n === 0 ? { FIRST: 'Nought', GROUP: 'students' } : n === 4 ? { EMAIL: '' } : {})));
  await h.pool.query(`INSERT INTO directory."group" (code, name) VALUES ('library', 'Library')`);
  await h.pool.query(
    `INSERT INTO directory.membership (user_id, group_code, source)
     SELECT id, 'library', 'manual' FROM directory."user" WHERE username = 'u0'`,
  );
}, 60_000);

afterAll(async () => {
  client?.close();
  await app?.stop();
  await h?.close();
});

describe('LookupUser', () => {
  it('finds a user by username, ignoring case and surrounding spaces, with everything the directory knows', async () => {
    for (const q of ['u0', '  U0 ', '\tu0\n']) {
      const { matches } = await lookup(q);
      expect(matches.map((m) => m.username)).toEqual(['u0']);
    }
    const [u0] = (await lookup('U0')).matches;
    expect(u0).toMatchObject({
      username: 'u0',
      nameFirst: 'Nought',
      nameLast: 'Last0',
      email: 'u0@example.org',
      active: true,
      inFeed: true,
      error: false,
      managed: true,
      tags: { department: 'd1' },
      profile: [{ code: 'std:attribute:job-title', label: 'Job title', values: ['Lecturer'] }],
      lastRunId: runs[2],
      lastRecordRunId: runs[2],
    });
    expect(u0!.groups).toEqual([
      { code: 'library', name: 'Library', source: lookupV1.GroupSource.GROUP_SOURCE_MANUAL },
      { code: 'students', name: 'Students', source: lookupV1.GroupSource.GROUP_SOURCE_SYNC },
    ]);
    expect(u0!.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(u0!.lastRecordJson)).toMatchObject({ ID: 'u0', FIRST: 'Nought', GROUP: 'students' });
    expect(u0!.notes).toEqual([]);
  });

  it('matches input with @ as an email, case-insensitively, listing every user who shares it', async () => {
    expect((await lookup(' U5@EXAMPLE.org ')).matches.map((m) => m.username)).toEqual(['u5']);
    const shared = await lookup(`  ${SHARED.toUpperCase()}  `);
    expect(shared.matches.map((m) => [m.username, m.email])).toEqual([
      ['u1', SHARED],
      ['u2', SHARED],
    ]);
  });

  it('answers an unknown user with no matches, and empty input with INVALID_ARGUMENT', async () => {
    expect((await lookup('nobody')).matches).toEqual([]);
    expect((await lookup('nobody@example.org')).matches).toEqual([]);
    await expect(lookup('   ')).rejects.toBeInstanceOf(ValidationError);
  });

  it('explains a user blocked by a run, then reactivated by a later one', async () => {
    await h.pool.query(`UPDATE directory."user" SET active = false, in_feed = false WHERE username = 'u6'`);
    await h.pool.query(
      `INSERT INTO directory.history (run_id, user_id, action) SELECT $1, id, 'block' FROM directory."user" WHERE username = 'u6'`,
      [runs[2]],
    );
    const [u6] = (await lookup('u6')).matches;
    expect(u6).toMatchObject({ active: false, inFeed: false });
    expect(u6!.notes).toContain(`Cannot log in because they are not in the latest feed (blocked by run ${runs[2]}).`);

    const [u3] = (await lookup('u3')).matches;
    expect(u3).toMatchObject({ active: true, inFeed: true, lastRunId: runs[2] });
    expect(u3!.notes).toContain(`Reactivated by run ${runs[2]} after being blocked by run ${runs[1]}.`);
  });

  it('explains a user in error state and the errors the latest run logged for them', async () => {
    const [u4] = (await lookup('u4')).matches;
    expect(u4).toMatchObject({ active: true, error: true, email: 'u4@example.org', lastRunId: runs[0] });
    // The last raw record is what arrived (the invalid one), from the run that sent it first.
    expect(JSON.parse(u4!.lastRecordJson)).toMatchObject({ ID: 'u4', EMAIL: '' });
    expect(u4!.lastRecordRunId).toBe(runs[1]);
    expect(u4!.notes).toContain(
      'In error state: will be re-applied on the next run, even if their record is unchanged.',
    );
    expect(u4!.notes.some((n) => n.startsWith(`Run ${runs[2]} logged `))).toBe(true);
  });
});

describe('GetUserHistory', () => {
  it('lists every run that changed the user, newest first and paged, with field-level before/after', async () => {
    const first = await history('U0', 2);
    expect(first.entries.map((e) => [e.runId, e.action])).toEqual([
      [runs[2], UserAction.USER_ACTION_UPDATE],
      [runs[1], UserAction.USER_ACTION_UPDATE],
    ]);
    expect(first.entries[0]!.changes).toEqual([
      { field: 'groups', before: '["staff"]', after: '["students"]' },
      { field: 'nameFirst', before: '"Zero"', after: '"Nought"' },
    ]);
    expect(first.nextPageToken).not.toBe('');
    const second = await history('u0', 2, first.nextPageToken);
    expect(second.entries.map((e) => [e.runId, e.action])).toEqual([[runs[0], UserAction.USER_ACTION_CREATE]]);
    // A create's change list is stored only in its run's plan (the history row's is NULL) and read from there.
    const { rows } = await h.pool.query(
      `SELECT h.changes FROM directory.history h JOIN directory."user" u ON u.id = h.user_id
       WHERE u.username = 'u0' AND h.action = 'create'`,
    );
    expect(rows).toEqual([{ changes: null }]);
    expect(second.entries[0]!.changes).toContainEqual({ field: 'nameFirst', before: 'null', after: '"First0"' });
    expect(second.entries[0]!.changes.map((c) => c.field)).toEqual([
      'email',
      'groups',
      'nameFirst',
      'nameLast',
      'profile',
      'tags',
      'title',
    ]);
    expect(second.nextPageToken).toBe('');
    expect(second.errorRuns).toEqual([]);
  });

  it('shows block and reactivate, and the runs whose log had errors for the user with their lines', async () => {
    const u3 = await history('u3');
    expect(u3.entries.map((e) => e.action)).toEqual([
      UserAction.USER_ACTION_REACTIVATE,
      UserAction.USER_ACTION_BLOCK,
      UserAction.USER_ACTION_CREATE,
    ]);
    const u4 = await history('u4');
    expect(u4.entries.map((e) => e.runId)).toEqual([runs[0]]);
    expect(u4.errorRuns.map((r) => r.runId)).toEqual([runs[2], runs[1]]);
    expect(u4.errorRuns[0]!.errorLines).toContain('Record has missing data for username u4 (ignoring)');
    const logged = (await logText(h.pool, runs[1]!)).filter((l) => l.includes('u4'));
    expect(u4.errorRuns[1]!.errorLines.every((l) => logged.includes(l))).toBe(true);
  });

  it('answers an unknown user with NOT_FOUND and a bad page token with INVALID_ARGUMENT', async () => {
    await expect(history('nobody')).rejects.toBeInstanceOf(NotFoundError);
    await expect(history('u0', 2, 'abc')).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('SetErrorState', () => {
  it('flags the user, and the next run re-applies them although their record is unchanged', async () => {
    const before = await apply(feed((n) => (n === 0 ? { FIRST: 'Nought', GROUP: 'students' } : {})));
    expect(await logText(h.pool, before)).not.toContain('update u5');
    const res = await setError('  U5 ', admin);
    expect(res.user).toMatchObject({ username: 'u5', error: true });
    expect(res.user!.notes).toContain(
      'In error state: will be re-applied on the next run, even if their record is unchanged.',
    );
    const next = await apply(feed((n) => (n === 0 ? { FIRST: 'Nought', GROUP: 'students' } : {})));
    expect(await logText(h.pool, next)).toContain('update u5');
    expect((await lookup('u5')).matches[0]).toMatchObject({ error: false, lastRunId: next });
  });

  it('refuses a call without an actor, and an unknown user with NOT_FOUND, changing nothing', async () => {
    await expect(setError('u6', undefined)).rejects.toBeInstanceOf(ValidationError);
    await expect(
      setError('u6', { kind: commonV1.ActorKind.ACTOR_KIND_UNSPECIFIED, id: '', displayName: '' }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await lookup('u6')).matches[0]!.error).toBe(false);
    await expect(setError('nobody', admin)).rejects.toBeInstanceOf(NotFoundError);
  });
});
