/**
 * GetRunHistory and GetRunAttention over real gRPC and PostgreSQL, on 12,000 old runs plus a few
 * recent ones: days in the asked zone, outcomes and durations, the index in the plan, and the
 * dashboard's "needs you" facts (held runs, failures since the last success, freshness).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonV1, runsV1 } from '@usersync/contracts';
import { unary } from '@usersync/platform';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { RUN_HISTORY_SQL } from '../../src/store/run-history.repository.js';

let env: GatewayEnv;
const HOUR = 3600_000;
const now = Date.now();
/** Recent finished runs: [status, errors, finished hours ago, duration seconds]. */
const RECENT: Array<[string, number, number, number]> = [
  ['complete', 0, 1, 60],
  ['complete', 3, 2, 120],
  ['failure', 0, 20, 30],
  ['cancelled', 0, 26, 0],
  ['complete', 0, 75, 600],
  ['failure', 0, 0.5, 45],
];
const OLD_RUNS = 12_000;

const dayIn = (zone: string, at: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

beforeAll(async () => {
  env = await startGatewayEnv();
  // Old history, 40 days to 3 years back: what the window must skip over without reading it.
  await env.pool.query(
    `INSERT INTO runs.run (status, created_at, started_at, finished_at, expected_files, error_count)
     SELECT (ARRAY['complete', 'failure', 'cancelled'])[1 + i % 3],
            now() - make_interval(days => 40 + i % 1000, mins => 5),
            now() - make_interval(days => 40 + i % 1000, mins => 3),
            now() - make_interval(days => 40 + i % 1000), ARRAY['users', '_control'], 0
     FROM generate_series(1, $1::int) AS i`,
    [OLD_RUNS],
  );
  for (const [status, errors, hoursAgo, secs] of RECENT) {
    const finished = new Date(now - hoursAgo * HOUR);
    await env.pool.query(
      `INSERT INTO runs.run (status, created_at, started_at, finished_at, expected_files, error_count, failure_message)
       VALUES ($1, $2::timestamptz - interval '1 minute', $2::timestamptz - make_interval(secs => $3), $2, ARRAY['users'], $4, $5)`,
      [status, finished, secs, errors, status === 'failure' ? `boom ${hoursAgo}` : null],
    );
  }
  await env.pool.query(
    `INSERT INTO runs.run (status, expected_files, hold_reason, hold_detail, created_at)
     VALUES ('held', ARRAY['users'], 'block_threshold', 'would block 9 users', now() - interval '3 hours')`,
  );
  await env.pool.query('ANALYZE runs.run');
}, 180_000);

afterAll(async () => {
  await env?.stop();
});

const history = (req: Partial<runsV1.GetRunHistoryRequest>) =>
  unary<runsV1.RunServiceClient, 'getRunHistory'>(
    env.runs,
    'getRunHistory',
    runsV1.GetRunHistoryRequest.fromPartial(req),
  );

describe('GetRunHistory', () => {
  for (const zone of ['UTC', 'Pacific/Auckland', 'America/Los_Angeles']) {
    it(`counts the last 30 days of runs by outcome on ${zone} calendar days`, async () => {
      const res = await history({ days: 30, timeZone: zone });
      expect(res.days).toHaveLength(30);
      expect(res.days[29]!.day).toBe(dayIn(zone, Date.now()));
      expect(res.days[0]!.day < res.days[29]!.day).toBe(true);
      const expected = new Map<string, { complete: number; withErrors: number; failed: number; cancelled: number }>();
      for (const [status, errors, hoursAgo] of RECENT) {
        const day = dayIn(zone, now - hoursAgo * HOUR);
        const e = expected.get(day) ?? { complete: 0, withErrors: 0, failed: 0, cancelled: 0 };
        if (status === 'complete' && errors === 0) e.complete++;
        if (status === 'complete' && errors > 0) e.withErrors++;
        if (status === 'failure') e.failed++;
        if (status === 'cancelled') e.cancelled++;
        expected.set(day, e);
      }
      for (const d of res.days) {
        const e = expected.get(d.day) ?? { complete: 0, withErrors: 0, failed: 0, cancelled: 0 };
        expect([d.day, d.complete, d.completeWithErrors, d.failed, d.cancelled]).toEqual([
          d.day,
          e.complete,
          e.withErrors,
          e.failed,
          e.cancelled,
        ]);
      }
    });
  }

  it('gives the median and longest apply duration of a day, cancelled runs left out', async () => {
    const res = await history({ days: 30, timeZone: 'UTC' });
    const applied = RECENT.filter((r) => r[0] !== 'cancelled');
    for (const d of res.days) {
      const secs = applied
        .filter((r) => dayIn('UTC', now - r[2] * HOUR) === d.day)
        .map((r) => r[3])
        .sort((a, b) => a - b);
      if (secs.length === 0) {
        expect([d.p50DurationSeconds, d.maxDurationSeconds]).toEqual([0, 0]);
        continue;
      }
      const mid = (secs.length - 1) / 2;
      const p50 = (secs[Math.floor(mid)]! + secs[Math.ceil(mid)]!) / 2;
      expect(d.p50DurationSeconds).toBeCloseTo(p50, 3);
      expect(d.maxDurationSeconds).toBeCloseTo(secs[secs.length - 1]!, 3);
    }
  });

  it('defaults to 30 days, caps at 366, and refuses an unknown zone with INVALID_ARGUMENT', async () => {
    expect((await history({})).days).toHaveLength(30);
    expect((await history({ days: 5000 })).days).toHaveLength(366);
    await expect(history({ timeZone: 'Mars/Olympus' })).rejects.toMatchObject({
      kind: 'validation',
      message: expect.stringContaining('Mars/Olympus'),
    });
  });

  it(`reads the window through run_finished_idx and answers fast at ${OLD_RUNS} runs`, async () => {
    const plan = await env.pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${RUN_HISTORY_SQL}`, [
      'Europe/London',
      30,
    ]);
    const text = JSON.stringify(plan.rows[0]!['QUERY PLAN']);
    expect(text).toContain('run_finished_idx');
    expect(text).not.toMatch(
      /"Seq Scan","Parallel Aware":(true|false),"Async Capable":(true|false),"Relation Name":"run"/,
    );
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await history({ days: 30, timeZone: 'Europe/London' });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`GetRunHistory(30 days) at ${OLD_RUNS + RECENT.length} runs: median ${times[5]!.toFixed(1)} ms`);
    expect(times[5]).toBeLessThan(100);
  });
});

describe('GetRunAttention', () => {
  it('lists held runs, the failures since the last success, and when data last arrived', async () => {
    const res = await unary<runsV1.RunServiceClient, 'getRunAttention'>(env.runs, 'getRunAttention', {});
    expect(res.held).toHaveLength(1);
    expect(res.held[0]!.holdReason).toBe(commonV1.HoldReason.HOLD_REASON_BLOCK_THRESHOLD);
    expect(res.held[0]!.detail).toBe('would block 9 users');
    // The last complete run finished 1 hour ago; only the failure of half an hour ago came after it.
    expect(res.failureCount).toBe(1);
    expect(res.failures.map((f) => f.detail)).toEqual(['boom 0.5']);
    expect(Math.abs(res.lastSuccessAt!.getTime() - (now - HOUR))).toBeLessThan(1000);
    // No file was ever uploaded in this database.
    expect(res.lastUploadAt).toBeUndefined();
  });
});
