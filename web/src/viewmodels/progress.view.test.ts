import { describe, expect, it } from 'vitest';
import { formatDuration } from './progress.view.js';
import { runLabels } from './runs.labels.js';

const t0 = new Date('2026-12-03T14:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const proto = {
  phase: 'apply',
  unit: 'records',
  processed: 1_500,
  total: 116_286,
  startedAt: t0,
  phaseStartedAt: at(60),
  updatedAt: at(65),
  heartbeatAt: at(65),
};

describe('progress view', () => {
  it('words records of N, elapsed, ETA and the update time to the second', () => {
    const v = runLabels.progress(proto, true);
    expect(v.phaseLabel).toBe('Applying');
    expect(v.figures).toBe('1,500 of 116,286 records (1.2 %)');
    expect(v.elapsed).toMatch(/^elapsed \d+ (s|min \d\d s|h \d\d min)$/);
    expect(v.updated).toBe('14:01:05 UTC');
    expect(v.updatedIso).toBe('2026-12-03T14:01:05.000Z');
  });

  it('uses the run pages’ byte format while transforming, and says nothing of an ETA it cannot tell', () => {
    const v = runLabels.progress(
      { ...proto, phase: 'transform', unit: 'bytes', processed: 0, total: 41_943_040 },
      true,
    );
    expect(v.figures).toBe(`0 B of ${runLabels.bytes(41_943_040)} (0 %)`);
    expect(v.eta).toBe('');
  });

  it('warns when a working run stops moving, never once it is settled', () => {
    const old = { ...proto, phase: 'transform', updatedAt: at(-300), heartbeatAt: at(-300) };
    expect(runLabels.progress(old, true).stalledWarning).toMatch(/^No progress for \d+ s — the worker may be stuck$/);
    expect(runLabels.progress(old, false).stalledWarning).toBe('');
  });

  it('formats durations to the second under an hour', () => {
    expect([42, 65, 3599, 7380].map(formatDuration)).toEqual(['42 s', '1 min 05 s', '59 min 59 s', '2 h 03 min']);
  });
});
