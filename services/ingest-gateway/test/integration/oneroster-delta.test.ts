/**
 * OneRoster delta bundles at upload (usecases/check-bundle.ts): refused without a snapshot to follow,
 * merged onto the newest applied or held run's bundle otherwise, and recorded merged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateOneRosterBundle } from '@usersync/control-file';
import {
  BULK_BUNDLE,
  DELTA_BUNDLE,
  zipBundle,
} from '../../../../packages/control-file/src/fixtures/oneroster.fixture.js';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { startSync, upload } from '../support/fixtures.js';

const CONTROL = JSON.stringify({
  dataImportControlFileVersion: 0,
  model: 'haplo:user-sync',
  files: { roster: { read: 'oneroster-csv' } },
  instructions: [
    { source: 'username', destination: 'user', name: 'username' },
    { source: 'givenName', destination: 'user', name: 'nameFirst' },
    { source: 'familyName', destination: 'user', name: 'nameLast' },
    { source: 'email', destination: 'user', name: 'email' },
  ],
});

let env: GatewayEnv;
beforeAll(async () => {
  env = await startGatewayEnv();
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const rosterOf = async (runId: number) =>
  (
    await env.pool.query<{ digest: string; filename: string }>(
      "SELECT digest, filename FROM runs.run_file WHERE run_id = $1 AND name = 'roster'",
      [runId],
    )
  ).rows[0];
const newestRun = async () => Number((await env.pool.query('SELECT max(id) AS id FROM runs.run')).rows[0].id);

describe('OneRoster delta bundles at upload', () => {
  it('refuses a delta with no applied or held snapshot to follow, recording nothing', async () => {
    expect((await upload(env, '_control', CONTROL)).status).toBe(200);
    const res = await upload(env, 'roster', await zipBundle(DELTA_BUNDLE), { filename: 'delta.zip' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(
      /delta bundle .*no applied or held run has a roster to apply it to: send a bulk export first/,
    );
    expect(await rosterOf(await newestRun())).toBeUndefined();
  });

  it('merges a delta onto the held bulk bundle it supersedes, and records the merge', async () => {
    expect((await upload(env, 'roster', await zipBundle(BULK_BUNDLE), { filename: 'bulk.zip' })).status).toBe(200);
    const bulkRun = await newestRun();
    // The first run is held for a first look; a delta that arrives meanwhile carries it forward.
    await startSync(env);
    expect((await env.pool.query('SELECT status FROM runs.run WHERE id = $1', [bulkRun])).rows[0].status).toBe('held');

    expect((await upload(env, '_control', CONTROL)).status).toBe(200);
    const delta = await zipBundle(DELTA_BUNDLE);
    const res = await upload(env, 'roster', delta, { filename: 'delta.zip' });
    expect(res.status).toBe(200);
    const deltaRun = await newestRun();
    expect(deltaRun).toBeGreaterThan(bulkRun);
    const file = (await rosterOf(deltaRun))!;
    expect(file.filename).toBe(`delta.zip (delta applied to run ${bulkRun})`);
    const checked = await validateOneRosterBundle(await env.objects.get(file.digest));
    expect(checked.problems).toEqual([]);
    expect(checked.manifest?.modes.get('users.csv')).toBe('bulk');
    // Re-sending the same delta into the same run is the same merged file: an idempotent retry.
    const again = await upload(env, 'roster', delta, { filename: 'delta.zip' });
    expect(again.status).toBe(200);
    expect((await rosterOf(deltaRun))!.digest).toBe(file.digest);
    expect((await env.pool.query('SELECT status FROM runs.run WHERE id = $1', [bulkRun])).rows[0].status).toBe(
      'cancelled',
    );
  });
});
