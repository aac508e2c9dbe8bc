/**
 * Reviewing a big held run (issue 16): blocks listed with name, email and the last run that named them,
 * each linked to the user lookup; errors grouped by message with a way to fix them; CSV of the whole plan
 * and of the blocked list; filters that stay in the URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { storeErrorGroups } from '@usersync/run-state';
import { holdWithPlan, readyRun, startRunsEnv, type RunsEnv } from '../runs-env.js';
import { signedInAdmin, type AdminRequests } from '../portal-requests.js';

let env: RunsEnv;
let admin: AdminRequests;
let id: number;
const error = (text: string, username: string) => ({ level: 'error' as const, username, text });

beforeAll(async () => {
  env = await startRunsEnv();
  admin = await signedInAdmin(env.portal);
  id = await readyRun(env);
  await holdWithPlan(env, id, { created: ['ann', 'bob'], updated: ['carl'], blocked: ['dora', 'dan'], unchanged: 7 }, [
    { level: 'info', username: null, text: 'START: sync' },
    error('ERROR: Profile attribute std:attribute:room is not defined (record 1, user ann)', 'ann'),
    error('ERROR: Profile attribute std:attribute:room is not defined (record 2, user bob)', 'bob'),
    error('ERROR: Invalid email address for EMAIL: "x@" (record 3, user carl)', 'carl'),
  ]);
  await storeErrorGroups(env.runsDb, id);
  await env.runsDb.query(
    `UPDATE runs.run_plan SET display_name = 'Dora Dunn', email = 'dora@example.org', last_seen_run = 4
     WHERE run_id = $1 AND username = 'dora'`,
    [id],
  );
}, 120_000);
afterAll(async () => {
  await env?.stop();
});

describe('the review of a held run', () => {
  it('names whom a block takes away, links each user to the lookup, and keeps filters in the URL', async () => {
    const blocks = (await admin.get(`/runs/${id}/plan?action=block`)).body;
    expect(blocks).toContain('Dora Dunn');
    expect(blocks).toContain('&lt;dora@example.org&gt;');
    expect(blocks).toContain('last seen in <a href="/runs/4">run 4</a>');
    expect(blocks).toContain('href="/users/lookup?q=dora"');
    expect(blocks).not.toContain('>ann<');
    expect(blocks).toContain('hx-push-url="true"');
  });

  it('groups the errors by message with counts, and points a profile error at Configuration', async () => {
    const page = (await admin.get(`/runs/${id}`)).body;
    const section = page.slice(page.indexOf('data-testid="error-groups"'));
    expect(section).toMatch(
      /2 ×<\/td><td>Profile attribute std:attribute:room is not defined — <a href="\/config">fix it in Configuration/,
    );
    expect(section).toContain('1 ×</td><td>Invalid email address for EMAIL');
    expect(section).toContain(`/runs/${id}/log?username=ann&amp;level=error`);
    expect(page).toContain(`href="/runs/${id}/plan" data-testid="full-plan"`);
  });

  it('downloads the whole plan and the blocked list as CSV', async () => {
    const all = await admin.get(`/runs/${id}/plan.csv`);
    expect(all.statusCode).toBe(200);
    expect(all.headers['content-type']).toContain('text/csv');
    expect(all.headers['content-disposition']).toBe(`attachment; filename="sync-run-${id}-plan.csv"`);
    const rows = parse(all.body, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.username, r.action])).toEqual([
      ['ann', 'create'],
      ['bob', 'create'],
      ['carl', 'update'],
      ['dan', 'block'],
      ['dora', 'block'],
    ]);
    expect(JSON.parse(rows[2]!.changes!)).toEqual([{ field: 'nameLast', before: 'Old', after: 'New' }]);

    const blocked = await admin.get(`/runs/${id}/plan.csv?action=block`);
    expect(blocked.headers['content-disposition']).toContain(`sync-run-${id}-blocks.csv`);
    expect(parse(blocked.body, { columns: true })).toEqual([
      expect.objectContaining({ username: 'dan', name: '', last_seen_run: '' }),
      expect.objectContaining({ username: 'dora', name: 'Dora Dunn', email: 'dora@example.org', last_seen_run: '4' }),
    ]);
    expect((await admin.get(`/runs/999999/plan.csv`)).statusCode).toBe(404);
  });
});
