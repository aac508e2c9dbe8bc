import { describe, expect, it } from 'vitest';
import { runsV1 } from '@usersync/contracts';
import { canonicalTimeZone, createTimeFormat } from './times.js';
import { buildRunHistoryChart } from './run-history-chart.js';
import { buildNeedsYou } from './needs-you.js';

const at = new Date('2026-12-03T14:05:09Z');

describe('createTimeFormat', () => {
  it('names the zone in every date, to the minute or to the second', () => {
    expect(createTimeFormat('UTC').date(at)).toBe('3 Dec 2026, 14:05 UTC');
    expect(createTimeFormat('UTC').dateSeconds(at)).toBe('3 Dec 2026, 14:05:09 UTC');
    expect(createTimeFormat('America/Los_Angeles').date(at)).toBe('3 Dec 2026, 06:05 PST');
    expect(createTimeFormat('Europe/Berlin').date(at)).toBe('3 Dec 2026, 15:05 GMT+1');
    expect(createTimeFormat('Pacific/Auckland').date(new Date('2026-12-03T23:30:00Z'))).toBe(
      '4 Dec 2026, 12:30 GMT+13',
    );
    expect(createTimeFormat('UTC').date(null)).toBe('—');
  });

  it('says how long ago and how long, in words an admin reads at a glance', () => {
    const t = createTimeFormat('UTC');
    expect(t.ago(new Date(at.getTime() - 30_000), at)).toBe('just now');
    expect(t.ago(new Date(at.getTime() - 5 * 60_000), at)).toBe('5 min ago');
    expect(t.ago(new Date(at.getTime() - 3 * 3600_000), at)).toBe('3 h ago');
    expect(t.ago(new Date(at.getTime() - 3 * 86400_000), at)).toBe('3 days ago');
    expect([t.duration(45), t.duration(720), t.duration(4800)]).toEqual(['45 s', '12 min', '1 h 20 min']);
  });

  it('accepts IANA zones only', () => {
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Mars/Olympus')).toBeUndefined();
  });
});

describe('buildRunHistoryChart', () => {
  const day = (d: string, c: Partial<runsV1.RunHistoryDay>) => runsV1.RunHistoryDay.fromPartial({ day: d, ...c });
  it('stacks the outcomes of a day bottom up and scales to a round maximum', () => {
    const chart = buildRunHistoryChart(
      [
        day('2026-12-02', {}),
        day('2026-12-03', { complete: 2, failed: 1, p50DurationSeconds: 60, maxDurationSeconds: 90 }),
      ],
      createTimeFormat('UTC'),
    );
    expect(chart.bars.map((b) => b.css)).toEqual(['ok', 'bad']);
    const [ok, bad] = chart.bars;
    expect(bad!.y + bad!.height).toBeCloseTo(ok!.y, 5);
    expect(chart.yTicks.at(-1)!.label).toBe('5');
    expect(chart.durations).toHaveLength(1);
    expect(chart.summary).toBe(
      '3 runs finished between 2 Dec and 3 Dec: 2 complete, 0 complete with errors, 1 failed, 0 cancelled.',
    );
    expect(chart.days[0]!.p50).toBe('—');
  });
});

describe('buildNeedsYou', () => {
  const t = createTimeFormat('UTC');
  it('leads with held runs, then failures, then staleness', () => {
    const n = buildNeedsYou(
      runsV1.GetRunAttentionResponse.fromPartial({
        held: [{ id: 7, createdAt: new Date(at.getTime() - 3600_000), holdReason: 4, detail: 'would block 9 users' }],
        failures: [{ id: 8, finishedAt: at, detail: 'bad JSON' }],
        failureCount: 2,
        lastSuccessAt: new Date(at.getTime() - 3 * 86400_000),
        lastUploadAt: new Date(at.getTime() - 3600_000),
      }),
      t,
      at,
    );
    expect(n.items.map((i) => i.testid)).toEqual(['needs-held', 'needs-failures', 'needs-stale-success']);
    expect(n.items[0]!.href).toBe('/runs/7');
    expect(n.items[1]!.ago).toContain('2 runs have failed since the last successful run');
  });

  it('is all clear when nothing waits', () => {
    const n = buildNeedsYou(runsV1.GetRunAttentionResponse.fromPartial({ lastSuccessAt: at, lastUploadAt: at }), t, at);
    expect(n.items).toEqual([]);
    expect(n.allClear?.ago).toBe('just now');
  });
});
