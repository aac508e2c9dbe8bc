/**
 * A first import into an empty directory writes its creates straight into the directory while
 * transforming. It must leave exactly what the planned path leaves: the same users, memberships,
 * history, last records, stored plan, log, counts, digest and events. Two databases get the same runs;
 * one worker has direct creates, the other not. A first import with an approved preview to verify is planned (domain/apply-strategy.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRun } from '../../src/usecases/apply-run.js';
import { readRunProgress } from '@usersync/run-state';
import {
  approve,
  createHarness,
  createRunningRun,
  directorySnapshot,
  outboxSubjects,
  runRow,
  setConfig,
  type Harness,
} from '../support/harness.js';
import { people, person, simpleConfig, simpleControl } from '../support/simple-feed.js';

let direct: Harness;
let planned: Harness;

beforeAll(async () => {
  [direct, planned] = await Promise.all([createHarness(), createHarness()]);
  for (const h of [direct, planned])
    await setConfig(h.pool, { ...simpleConfig, maxBlockPercent: 50, maxBlockCount: null });
});
afterAll(async () => Promise.all([direct?.close(), planned?.close()]));

async function applyBoth(records: object[]) {
  const states = [];
  for (const [h, directCreates] of [
    [direct, true],
    [planned, false],
  ] as const) {
    const runId = await createRunningRun(h, { _control: simpleControl, users: records });
    const outcome = await processRun({ pool: h.pool, objects: h.objects, log: h.log, directCreates }, runId);
    states.push({ outcome, ...(await stateOf(h, runId)) });
  }
  return states;
}

async function stateOf(h: Harness, runId: number) {
  const rows = async (sql: string) => (await h.pool.query(sql, [runId])).rows;
  const { counts, plan_digest, error_count, status } = await runRow(h.pool, runId);
  return {
    run: { counts, plan_digest, error_count, status },
    directory: Object.values(await directorySnapshot(h.pool)),
    history: await rows(
      `SELECT u.username, h.action, h.changes::text FROM directory.history h
       JOIN directory."user" u ON u.id = h.user_id WHERE h.run_id = $1 ORDER BY u.username`,
    ),
    lastRecords: await rows(
      `SELECT u.username, l.record::text, l.record_digest FROM directory.last_record l
       JOIN directory."user" u ON u.id = l.user_id WHERE l.run_id = $1 ORDER BY u.username`,
    ),
    plan: await rows('SELECT username, action, changes::text FROM runs.run_plan WHERE run_id = $1 ORDER BY username'),
    // Every line as stored: its position, level and user too (a direct import numbers its own lines).
    log: await rows(
      `SELECT seq, level, username, regexp_replace(text, '^(START|END): .*', '\\1:') AS text
       FROM runs.run_log WHERE run_id = $1 ORDER BY seq`,
    ),
    events: await outboxSubjects(h.pool),
  };
}

/** The directory tables' indexes and constraints as the catalogue has them (name and definition). */
async function directoryIndexes(h: Harness): Promise<string[]> {
  const { rows } = await h.pool.query<{ d: string }>(
    `SELECT c.relname || ': ' || pg_get_indexdef(i.indexrelid) ||
            coalesce(' [' || (SELECT conname || ' ' || pg_get_constraintdef(k.oid) FROM pg_constraint k
                              WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid) || ']', '') AS d
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'directory' ORDER BY 1`,
  );
  return rows.map((r) => r.d);
}

describe('direct creates (first import into an empty directory)', () => {
  it('leave what the planned path leaves, and the next run plans on top of them the same way', async () => {
    const indexesBefore = await directoryIndexes(direct);
    expect(indexesBefore.some((d) => d.includes('UNIQUE (username)'))).toBe(true);
    const first: object[] = people(40, (n) => (n % 7 === 0 ? { GROUP: 'students' } : {}));
    first[5] = person(5, { EMAIL: '' }); // incomplete: never created
    first[9] = person(9, { GROUP: 'admins' }); // unknown group: ERROR line, created without it, flagged
    first[11] = person(11, { FIRST: 'Zoë "quoted"\ttabbed' }); // escaping in every COPY
    first.push(person(7, { FIRST: 'Duplicate' }), { FIRST: 'No username' });
    const [a, b] = await applyBoth(first);
    expect(a!.outcome).toBe('complete');
    expect(a!.run.counts).toMatchObject({ created: 39, errors: 3 });
    expect(a).toEqual(b);
    // A record's action line comes before its own ERROR line, and seq runs on without a gap.
    const lines = a!.log.map((l) => `${l.seq} ${l.level} ${l.text}`);
    const unknownGroup = lines.findIndex((l) => l.includes('ERROR: Unknown group: admins'));
    expect(lines[unknownGroup - 1]).toBe(`${unknownGroup - 1} info create u9`);
    expect(lines[0]).toBe('0 info START:');
    expect(lines.at(-1)).toBe(`${lines.length - 1} info END:`);
    // The load dropped the secondary indexes and the unique constraints and built them again, as they were.
    expect(await directoryIndexes(direct)).toEqual(indexesBefore);
    expect(await directoryIndexes(direct)).toEqual(await directoryIndexes(planned));
    await expect(
      direct.pool.query(`INSERT INTO directory."user" (username) SELECT username FROM directory."user" LIMIT 1`),
    ).rejects.toThrow(/duplicate key/);

    const second = people(36, (n) => (n % 10 === 3 ? { FIRST: `Renamed${n}` } : {}));
    const [c, d] = await applyBoth(second);
    expect(c!.outcome).toBe('complete');
    // u5 arrives valid; updated: four renamed, six back from students to staff, u9 (error flag), u11; u36…u39 gone.
    expect(c!.run.counts).toMatchObject({ created: 1, updated: 12, blocked: 4 });
    expect(c).toEqual(d);
  });

  it('plans a first import whose approved preview must be verified: a stale one holds it, then it applies once approved', async () => {
    const h = await createHarness();
    try {
      await setConfig(h.pool, simpleConfig);
      const deps = { pool: h.pool, objects: h.objects, log: h.log };
      // An admin approved a preview whose digest no longer matches: held again, with its plan stored.
      const runId = await createRunningRun(h, { _control: simpleControl, users: people(10) });
      await h.pool.query(
        `UPDATE runs.run SET approved_by = '{"kind":"admin","id":"1","displayName":"Ada"}', plan_digest = 'stale' WHERE id = $1`,
        [runId],
      );
      expect(await processRun(deps, runId)).toBe('held');
      expect(Object.keys(await directorySnapshot(h.pool))).toEqual([]);
      const plan = await h.pool.query('SELECT count(*)::int AS n FROM runs.run_plan WHERE run_id = $1', [runId]);
      expect(plan.rows[0].n).toBe(10);
      expect((await runRow(h.pool, runId)).hold_detail).toContain('directory changed since preview');
      expect(await readRunProgress(h.pool, runId)).toMatchObject({ phase: 'held', processed: 10 });
      const storedPlan = () =>
        h.pool.query('SELECT username, action, changes::text FROM runs.run_plan WHERE run_id = $1 ORDER BY 1', [runId]);
      const preview = (await storedPlan()).rows;
      await approve(h.pool, runId);
      expect(await processRun(deps, runId)).toBe('complete');
      expect(Object.keys(await directorySnapshot(h.pool))).toHaveLength(10);
      // The approved preview's stored plan stays as it was: the import wrote no second copy of it.
      expect((await storedPlan()).rows).toEqual(preview);
      expect(preview.map((r) => r.action)).toEqual(Array(10).fill('create'));
    } finally {
      await h.close();
    }
  });
});
