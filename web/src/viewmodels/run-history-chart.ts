/**
 * The dashboard's run history chart as numbers for an inline SVG: runs per day stacked by outcome,
 * and the day's median and longest apply duration. All geometry is computed here so the template
 * only draws rectangles; nothing runs in the browser (the CSP allows no inline script or style, so
 * colours come from classes in app.css). The same data is given as a table for screen readers.
 */
import type { runsV1 } from '@usersync/contracts';
import type { TimeFormat } from './times.js';

/** Outcomes in stacking order (bottom first), with their CSS class and legend words. */
export const OUTCOMES = [
  { key: 'complete', css: 'ok', label: 'Complete' },
  { key: 'completeWithErrors', css: 'warn', label: 'Complete with errors' },
  { key: 'failed', css: 'bad', label: 'Failed' },
  { key: 'cancelled', css: 'off', label: 'Cancelled' },
] as const;

type OutcomeKey = (typeof OUTCOMES)[number]['key'];

export interface ChartBar {
  x: number;
  y: number;
  height: number;
  css: string;
  title: string;
}

export interface ChartDay {
  day: string;
  label: string;
  total: number;
  counts: Record<OutcomeKey, number>;
  p50: string;
  max: string;
}

export interface RunHistoryChart {
  width: number;
  height: number;
  /** Height of the duration panel (same width, same x positions). */
  durationHeight: number;
  durationPlot: { left: number; top: number; right: number; bottom: number };
  /** Plot area: left, top, right, bottom edges. */
  plot: { left: number; top: number; right: number; bottom: number };
  barWidth: number;
  bars: ChartBar[];
  /** Duration markers: the median as a dot, a line up to the longest, per day with applied runs. */
  durations: Array<{ cx: number; p50y: number; maxy: number; title: string }>;
  yTicks: Array<{ y: number; label: string }>;
  durationTicks: Array<{ y: number; label: string }>;
  xLabels: Array<{ x: number; label: string }>;
  days: ChartDay[];
  totals: Record<OutcomeKey, number> & { runs: number };
  /** One sentence for the SVG's description and for anyone who skips the chart. */
  summary: string;
}

/** A round axis maximum (1, 2, 5 × 10^n) at or above `n`. */
function niceMax(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= n) ?? 10 * p;
}

const W = 720;
const H = 220;
const PLOT = { left: 44, top: 12, right: W - 12, bottom: H - 28 };
/** The duration panel: same width and days, its own height and axis. */
const DH = 150;
const DPLOT = { ...PLOT, bottom: DH - 28 };

/** Chart geometry for the days of GetRunHistory (oldest first). */
export function buildRunHistoryChart(days: readonly runsV1.RunHistoryDay[], t: TimeFormat): RunHistoryChart {
  const n = Math.max(days.length, 1);
  const slot = (PLOT.right - PLOT.left) / n;
  const barWidth = Math.max(2, Math.round(slot * 0.7));
  const yMax = niceMax(Math.max(0, ...days.map((d) => d.complete + d.completeWithErrors + d.failed + d.cancelled)));
  const dMax = niceMax(Math.max(0, ...days.map((d) => d.maxDurationSeconds)));
  const plotH = PLOT.bottom - PLOT.top;
  const yOf = (v: number) => PLOT.bottom - (v / yMax) * plotH;
  const dyOf = (s: number) => DPLOT.bottom - (s / dMax) * (DPLOT.bottom - DPLOT.top);
  const totals = { complete: 0, completeWithErrors: 0, failed: 0, cancelled: 0, runs: 0 };
  const bars: ChartBar[] = [];
  const durations: RunHistoryChart['durations'] = [];
  const chartDays: ChartDay[] = days.map((d, i) => {
    const x = PLOT.left + i * slot + (slot - barWidth) / 2;
    const label = t.day(d.day);
    let base = 0;
    for (const o of OUTCOMES) {
      const v = d[o.key];
      totals[o.key] += v;
      if (v === 0) continue;
      const y = yOf(base + v);
      bars.push({ x, y, height: yOf(base) - y, css: o.css, title: `${label}: ${v} ${o.label.toLowerCase()}` });
      base += v;
    }
    totals.runs += base;
    const applied = d.complete + d.completeWithErrors + d.failed > 0;
    if (applied) {
      durations.push({
        cx: x + barWidth / 2,
        p50y: dyOf(d.p50DurationSeconds),
        maxy: dyOf(d.maxDurationSeconds),
        title: `${label}: median apply ${t.duration(d.p50DurationSeconds)}, longest ${t.duration(d.maxDurationSeconds)}`,
      });
    }
    return {
      day: d.day,
      label,
      total: base,
      counts: {
        complete: d.complete,
        completeWithErrors: d.completeWithErrors,
        failed: d.failed,
        cancelled: d.cancelled,
      },
      p50: applied ? t.duration(d.p50DurationSeconds) : '—',
      max: applied ? t.duration(d.maxDurationSeconds) : '—',
    };
  });
  const ticks = (max: number, f: (v: number) => string, yFn: (v: number) => number) =>
    [0, max / 2, max].map((v) => ({ y: yFn(v), label: f(v) }));
  // A label every 7 days, ending on today, so the newest day is always named.
  const xLabels = chartDays
    .map((d, i) => ({ i, label: d.label }))
    .filter(({ i }) => (chartDays.length - 1 - i) % 7 === 0)
    .map(({ i, label }) => ({ x: PLOT.left + i * slot + slot / 2, label }));
  const first = chartDays[0]?.label ?? '';
  const last = chartDays[chartDays.length - 1]?.label ?? '';
  const summary =
    totals.runs === 0
      ? `No runs finished between ${first} and ${last}.`
      : `${totals.runs} runs finished between ${first} and ${last}: ${totals.complete} complete, ` +
        `${totals.completeWithErrors} complete with errors, ${totals.failed} failed, ${totals.cancelled} cancelled.`;
  return {
    width: W,
    height: H,
    durationHeight: DH,
    durationPlot: DPLOT,
    plot: PLOT,
    barWidth,
    bars,
    durations,
    yTicks: ticks(yMax, (v) => (Number.isInteger(v) ? String(v) : ''), yOf).filter((tk) => tk.label !== ''),
    durationTicks: ticks(dMax, (v) => t.duration(v), dyOf),
    xLabels,
    days: chartDays,
    totals,
    summary,
  };
}
