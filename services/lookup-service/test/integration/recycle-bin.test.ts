/**
 * ListRecycleBin and RestoreUser end to end: the real app over a directory the real apply worker filled and
 * blocked from; the recycle state in LookupUser; the recycle timer's steps in GetUserHistory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonV1, lookupV1 } from '@usersync/contracts';
import { NotFoundError, ValidationError, createGrpcClient, unary, type ServiceApp } from '@usersync/platform';
import { freePort } from '@usersync/devstack';
import { processRun } from '../../../apply-worker/src/usecases/apply-run.js';
import { recyclePass } from '../../../apply-worker/src/usecases/recycle-timer.js';
import {
  createHarness,
  createRunningRun,
  setConfig,
  type Harness,
} from '../../../apply-worker/test/support/harness.js';
import { people, simpleConfig, simpleControl } from '../../../apply-worker/test/support/simple-feed.js';
import { createApp, loadConfig } from '../../src/index.js';

const admin: commonV1.Actor = { kind: commonV1.ActorKind.ACTOR_KIND_ADMIN, id: '7', displayName: 'Ada Admin' };
let h: Harness;
let app: ServiceApp;
let client: lookupV1.LookupServiceClient;
type C = lookupV1.LookupServiceClient;
const list = (query = '', pageSize = 0, pageToken = '') =>
  unary<C, 'listRecycleBin'>(client, 'listRecycleBin', { query, pageSize, pageToken });
const restore = (username: string) => unary<C, 'restoreUser'>(client, 'restoreUser', { username, actor: admin });
const config = { ...simpleConfig, maxBlockPercent: 100, maxBlockCount: null, recycleGraceDays: 30 };

async function apply(records: object[]): Promise<void> {
  const runId = await createRunningRun(h, { _control: simpleControl, users: records });
  expect(await processRun({ pool: h.pool, objects: h.objects, log: h.log }, runId)).toBe('complete');
}

beforeAll(async () => {
  h = await createHarness();
  await setConfig(h.pool, { ...config, recycleAfterGrace: 'anonymise' });
  const [grpcPort, healthPort] = [await freePort(), await freePort()];
  app = await createApp(
    loadConfig({ DATABASE_URL: h.db.url, GRPC_PORT: String(grpcPort), HEALTH_PORT: String(healthPort) }),
    h.log,
  );
  await app.start();
  client = createGrpcClient(lookupV1.LookupServiceClient, `127.0.0.1:${grpcPort}`);
  await apply(people(12));
  // u2 … u6 leave the feed; u2 left ten days earlier than the others.
  await apply(people(12).filter((_, n) => n < 2 || n > 6));
  await h.pool.query(`UPDATE directory."user" SET blocked_at = blocked_at - interval '10 days' WHERE username = 'u2'`);
}, 60_000);

afterAll(async () => {
  client?.close();
  await app?.stop();
  await h?.close();
});

describe('ListRecycleBin', () => {
  it('lists the blocked users soonest due first, with days left and what happens then', async () => {
    const page = await list();
    expect(page.total).toBe(5);
    expect(page.graceDays).toBe(30);
    expect(page.afterGrace).toBe('anonymise');
    expect(page.entries.map((e) => e.username)).toEqual(['u2', 'u3', 'u4', 'u5', 'u6']);
    expect(page.entries[0]).toMatchObject({ nameFirst: 'First2', memberships: 1, state: { daysLeft: 20 } });
    expect(page.entries[1]!.state).toMatchObject({ daysLeft: 30, afterGrace: 'anonymise' });
    expect(page.entries[1]!.blockedByRunId).toBeGreaterThan(0);
  });

  it('pages with a token and filters by username prefix', async () => {
    const first = await list('', 2);
    expect(first.entries.map((e) => e.username)).toEqual(['u2', 'u3']);
    const second = await list('', 2, first.nextPageToken);
    expect(second.entries.map((e) => e.username)).toEqual(['u4', 'u5']);
    const third = await list('', 2, second.nextPageToken);
    expect(third.entries.map((e) => e.username)).toEqual(['u6']);
    expect(third.nextPageToken).toBe('');
    expect((await list(' U5')).entries.map((e) => e.username)).toEqual(['u5']);
    await expect(list('', 2, 'nonsense!')).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('LookupUser and RestoreUser', () => {
  it('shows the recycle bin state and a note in lookup', async () => {
    const { matches } = await unary<C, 'lookupUser'>(client, 'lookupUser', { query: 'u3' });
    expect(matches[0]!.recycleBin).toMatchObject({ daysLeft: 30, afterGrace: 'anonymise' });
    expect(matches[0]!.notes.join(' ')).toMatch(
      /In the recycle bin since .*30 days left in the grace period; the user then is anonymised/,
    );
  });

  it('restores a user: active again with memberships, out of the bin, with a history entry naming the admin', async () => {
    const { user } = await restore('U3');
    expect(user).toMatchObject({ username: 'u3', active: true, inFeed: false, recycleBin: undefined });
    expect(user!.groups.map((g) => g.code)).toEqual(['staff']);
    expect((await list()).entries.map((e) => e.username)).not.toContain('u3');
    const { entries } = await unary<C, 'getUserHistory'>(client, 'getUserHistory', {
      username: 'u3',
      pageSize: 0,
      pageToken: '',
    });
    expect(entries[0]).toMatchObject({
      runId: 0,
      action: commonV1.UserAction.USER_ACTION_RESTORE,
      reason: 'restored from the recycle bin by Ada Admin',
    });
    await expect(restore('u3')).rejects.toBeInstanceOf(NotFoundError);
    const noActor = unary<C, 'restoreUser'>(client, 'restoreUser', { username: 'u4', actor: undefined });
    await expect(noActor).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps a restored user out of the next run’s blocks, and a run naming them again updates them', async () => {
    await apply(people(12).filter((_, n) => n < 2 || n > 6));
    expect((await unary<C, 'lookupUser'>(client, 'lookupUser', { query: 'u3' })).matches[0]).toMatchObject({
      active: true,
    });
    await apply(people(12).filter((_, n) => n < 2 || n > 6 || n === 3));
    expect((await unary<C, 'lookupUser'>(client, 'lookupUser', { query: 'u3' })).matches[0]).toMatchObject({
      active: true,
      inFeed: true,
    });
  });

  it('shows the recycle timer’s anonymise step on the tombstone', async () => {
    const { rows } = await h.pool.query(`SELECT id FROM directory."user" WHERE username = 'u2'`);
    await recyclePass({ pool: h.pool, log: h.log, now: () => new Date(Date.now() + 21 * 86_400_000) });
    const { matches } = await unary<C, 'lookupUser'>(client, 'lookupUser', { query: `anonymised-${rows[0].id}` });
    expect(matches[0]!.anonymisedAt).toBeInstanceOf(Date);
    expect(matches[0]!.notes.join(' ')).toMatch(/Anonymised by the recycle timer/);
    const { entries } = await unary<C, 'getUserHistory'>(client, 'getUserHistory', {
      username: `anonymised-${rows[0].id}`,
      pageSize: 0,
      pageToken: '',
    });
    expect(entries[0]).toMatchObject({
      runId: 0,
      action: commonV1.UserAction.USER_ACTION_ANONYMISE,
      reason: 'anonymised after 30 days in the recycle bin',
    });
    expect(entries.every((e) => e.changes.length === 0)).toBe(true);
  });
});
