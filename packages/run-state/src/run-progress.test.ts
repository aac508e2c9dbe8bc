import { describe, expect, it } from 'vitest';
import { useRunsDatabase } from './runs-database.fixture.js';
import { progressReport, readRunProgress, writeRunProgress, type ProgressFigures } from './run-progress.js';

const runs = useRunsDatabase();

describe('run progress', () => {
  it('is undefined before the first write, then the latest phase and count', async () => {
    expect(await readRunProgress(runs.pool, 41)).toBeUndefined();
    await writeRunProgress(runs.pool, 41, 'transform', 0);
    await writeRunProgress(runs.pool, 41, 'apply', 1500);
    const p = await readRunProgress(runs.pool, 41);
    expect(p).toMatchObject({ phase: 'apply', processed: 1500, unit: 'records', total: null });
    expect(p!.updatedAt).toBeInstanceOf(Date);
    expect(await readRunProgress(runs.pool, 42)).toBeUndefined();
  });

  it('keeps unit, total and start times; moves updated_at only when the figures move, the heartbeat always', async () => {
    const startedAt = new Date('2026-12-03T14:00:00.000Z');
    const phaseStartedAt = new Date('2026-12-03T14:00:05.000Z');
    const extent = { unit: 'bytes' as const, total: 40_000_000, startedAt, phaseStartedAt };
    await writeRunProgress(runs.pool, 43, 'transform', 1_000_000, extent);
    // Back-date the row so "now()" on the next writes is visibly later.
    await runs.pool.query(
      `UPDATE runs.run_progress SET updated_at = updated_at - interval '30 seconds',
         heartbeat_at = heartbeat_at - interval '30 seconds' WHERE run_id = 43`,
    );
    const before = (await readRunProgress(runs.pool, 43))!;
    await writeRunProgress(runs.pool, 43, 'transform', 1_000_000, extent);
    const same = (await readRunProgress(runs.pool, 43))!;
    expect(same).toMatchObject({ unit: 'bytes', total: 40_000_000, startedAt, phaseStartedAt });
    expect(same.updatedAt).toEqual(before.updatedAt);
    expect(same.heartbeatAt.getTime()).toBeGreaterThan(before.heartbeatAt.getTime() + 20_000);
    await writeRunProgress(runs.pool, 43, 'transform', 2_000_000, extent);
    expect((await readRunProgress(runs.pool, 43))!.updatedAt.getTime()).toBeGreaterThan(
      before.updatedAt.getTime() + 20_000,
    );
    // The start of the run is kept when a later write does not name it; a new phase starts its own clock.
    await writeRunProgress(runs.pool, 43, 'plan', 0, { total: 116_286 });
    const plan = (await readRunProgress(runs.pool, 43))!;
    expect(plan).toMatchObject({ phase: 'plan', unit: 'records', total: 116_286, startedAt });
    expect(plan.phaseStartedAt.getTime()).toBeGreaterThan(phaseStartedAt.getTime());
  });
});

describe(progressReport.name, () => {
  const t0 = new Date('2026-12-03T14:00:00.000Z');
  const at = (s: number) => new Date(t0.getTime() + s * 1000);
  const base: ProgressFigures = {
    phase: 'transform',
    unit: 'bytes',
    processed: 10_000_000,
    total: 40_000_000,
    startedAt: t0,
    phaseStartedAt: at(10),
    updatedAt: at(30),
    heartbeatAt: at(30),
  };

  it('gives percent, elapsed and an ETA at the phase’s own rate', () => {
    expect(progressReport(base, at(30.4))).toEqual({
      phase: 'transform',
      unit: 'bytes',
      processed: 10_000_000,
      total: 40_000_000,
      percent: 25,
      startedAt: '2026-12-03T14:00:00.000Z',
      updatedAt: '2026-12-03T14:00:30.000Z',
      elapsedSeconds: 30,
      // 10 MB in 20.4 s of transform: 30 MB to go at that rate.
      etaSeconds: 62,
      secondsSinceUpdate: 0,
      stalled: false,
    });
  });

  it('rounds percent down to one decimal and never above 100; no total means no percent and no ETA', () => {
    expect(progressReport({ ...base, processed: 2, total: 3 }, at(31)).percent).toBe(66.6);
    expect(progressReport({ ...base, processed: 41_000_000 }, at(31))).toMatchObject({ percent: 100, etaSeconds: 0 });
    expect(progressReport({ ...base, total: 0, processed: 0 }, at(31)).percent).toBe(100);
    expect(progressReport({ ...base, total: null }, at(31))).toMatchObject({ percent: null, etaSeconds: null });
    expect(progressReport({ ...base, processed: 0 }, at(31)).etaSeconds).toBeNull();
  });

  it('is stalled when the worker falls silent, or the transform count stops moving, past the threshold', () => {
    expect(progressReport(base, at(90))).toMatchObject({ stalled: false, secondsSinceUpdate: 60 });
    expect(progressReport(base, at(91))).toMatchObject({ stalled: true, secondsSinceUpdate: 61 });
    // Alive (heartbeat) but the count still: stalled while transforming, normal in a long SQL phase.
    const alive = { ...base, heartbeatAt: at(120) };
    expect(progressReport(alive, at(125)).stalled).toBe(true);
    expect(
      progressReport({ ...alive, phase: 'plan', unit: 'records', total: 116_286, processed: 0 }, at(125)),
    ).toMatchObject({ stalled: false, secondsSinceUpdate: 95, percent: 0, etaSeconds: null });
    expect(progressReport({ ...alive, phase: 'apply' }, at(200)).stalled).toBe(true);
    expect(progressReport(base, at(20), { stallAfter: 5 })).toMatchObject({ stalled: false });
    expect(progressReport(base, at(36), { stallAfter: 5 })).toMatchObject({ stalled: true });
    // The run was cancelled or failed while the row still names its working phase: settled, not stalled.
    expect(progressReport(base, at(600), { workerActive: false })).toMatchObject({
      stalled: false,
      etaSeconds: null,
      elapsedSeconds: 30,
    });
  });

  it('never stalls a settled or waiting run, and freezes elapsed at its last update once settled', () => {
    for (const phase of ['complete', 'held', 'failed', 'cancelled'])
      expect(progressReport({ ...base, phase }, at(3600))).toMatchObject({
        stalled: false,
        etaSeconds: null,
        elapsedSeconds: 30,
      });
    expect(progressReport({ ...base, phase: 'waiting' }, at(3600))).toMatchObject({
      stalled: false,
      elapsedSeconds: 3600,
    });
  });

  it('reads a bare proto-like row (no unit, no times but updatedAt) as records without totals', () => {
    expect(progressReport({ phase: 'apply', processed: 1500, updatedAt: at(0) }, at(2))).toMatchObject({
      unit: 'records',
      total: null,
      percent: null,
      startedAt: t0.toISOString(),
      elapsedSeconds: 2,
    });
  });
});
