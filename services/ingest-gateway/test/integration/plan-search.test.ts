/**
 * GetRunPlan's username_prefix filter over real gRPC: case-insensitive prefix match, LIKE wildcards taken
 * literally, paging both ways within the filter, and counts of the whole plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonV1, runsV1 } from '@usersync/contracts';
import { unary } from '@usersync/platform';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { controlFile, upload, usersFile } from '../support/fixtures.js';

let env: GatewayEnv;
let runId: number;

// Letters only under `al` so the expected order is the same in every collation.
const PLAN: [string, string][] = [
  ['aaron', 'create'],
  ['alan', 'create'],
  ['albert', 'block'],
  ['alex', 'update'],
  ['alfred', 'block'],
  ['alice', 'create'],
  ['amy', 'create'],
  ['b%x', 'create'],
  ['b_x', 'create'],
  ['b\\y', 'create'],
  ['bxa', 'create'],
  ['zal', 'unchanged'],
];

beforeAll(async () => {
  env = await startGatewayEnv();
  await upload(env, '_control', controlFile(['users']));
  await upload(env, 'users', usersFile(3));
  const { rows } = await env.pool.query<{ id: string }>('SELECT id FROM runs.run ORDER BY id DESC LIMIT 1');
  runId = Number(rows[0]!.id);
  await env.pool.query(
    `INSERT INTO runs.run_plan (run_id, username, action)
     SELECT $1, u, a FROM unnest($2::text[], $3::text[]) AS p(u, a)`,
    [runId, PLAN.map((p) => p[0]), PLAN.map((p) => p[1])],
  );
  // As the worker leaves it: the whole plan counted once, on the run.
  const count = (action: string) => PLAN.filter((p) => p[1] === action).length;
  const counts = {
    created: count('create'),
    updated: count('update'),
    reactivated: count('reactivate'),
    blocked: count('block'),
    unchanged: count('unchanged'),
  };
  await env.pool.query(`UPDATE runs.run SET plan_counts = $2 WHERE id = $1`, [runId, JSON.stringify(counts)]);
});
afterAll(async () => {
  await env?.stop();
});

const plan = (req: Partial<runsV1.GetRunPlanRequest>) =>
  unary(env.runs, 'getRunPlan', runsV1.GetRunPlanRequest.fromPartial({ runId, ...req }));
const names = (res: runsV1.GetRunPlanResponse) => res.entries.map((e) => e.username);

describe('GetRunPlan username_prefix', () => {
  it('pages forward and back within the prefix, case-insensitively, with counts of the whole plan', async () => {
    const first = await plan({ usernamePrefix: 'AL', pageSize: 2 });
    expect(names(first)).toEqual(['alan', 'albert']);
    expect(first.prevPageToken).toBe('');
    expect(first.counts).toMatchObject({ created: 8, updated: 1, blocked: 2, unchanged: 1 });

    const second = await plan({ usernamePrefix: 'AL', pageSize: 2, pageToken: first.nextPageToken });
    expect(names(second)).toEqual(['alex', 'alfred']);
    const third = await plan({ usernamePrefix: 'AL', pageSize: 2, pageToken: second.nextPageToken });
    // The last match is the last of the page: nothing after it, although `amy` and others follow unfiltered.
    expect(names(third)).toEqual(['alice']);
    expect(third.nextPageToken).toBe('');
    expect(third.counts).toEqual(first.counts);

    const back = await plan({ usernamePrefix: 'AL', pageSize: 2, pageToken: third.prevPageToken });
    expect(names(back)).toEqual(['alex', 'alfred']);
    const start = await plan({ usernamePrefix: 'AL', pageSize: 2, pageToken: back.prevPageToken });
    expect(names(start)).toEqual(['alan', 'albert']);
    expect(start.prevPageToken).toBe('');
  });

  it('ends a page exactly at the last match without a next token', async () => {
    const page = await plan({ usernamePrefix: 'al', pageSize: 5 });
    expect(names(page)).toEqual(['alan', 'albert', 'alex', 'alfred', 'alice']);
    expect(page.nextPageToken).toBe('');
    expect(page.prevPageToken).toBe('');
  });

  it('combines with the action filter', async () => {
    const blocks = await plan({ usernamePrefix: 'Al', action: commonV1.UserAction.USER_ACTION_BLOCK, pageSize: 1 });
    expect(names(blocks)).toEqual(['albert']);
    const next = await plan({
      usernamePrefix: 'Al',
      action: commonV1.UserAction.USER_ACTION_BLOCK,
      pageSize: 1,
      pageToken: blocks.nextPageToken,
    });
    expect(names(next)).toEqual(['alfred']);
    expect(next.nextPageToken).toBe('');
  });

  it('takes %, _ and \\ in the prefix literally', async () => {
    expect(names(await plan({ usernamePrefix: 'b_' }))).toEqual(['b_x']);
    expect(names(await plan({ usernamePrefix: 'b%' }))).toEqual(['b%x']);
    expect(names(await plan({ usernamePrefix: 'b\\' }))).toEqual(['b\\y']);
    expect(new Set(names(await plan({ usernamePrefix: 'B' })))).toEqual(new Set(['b%x', 'b_x', 'b\\y', 'bxa']));
  });

  it('returns an empty page without tokens when nothing matches, and everything for an empty prefix', async () => {
    const none = await plan({ usernamePrefix: 'q' });
    expect(none).toMatchObject({ entries: [], nextPageToken: '', prevPageToken: '' });
    expect(none.counts).toMatchObject({ created: 8, blocked: 2 });
    expect(names(await plan({ usernamePrefix: '' }))).toHaveLength(PLAN.length);
  });
});
