/**
 * Business metrics of sync runs: what an operator asks of usersync (did it apply lately, what waits for
 * an admin, how long do runs take, how big are they), beside the plumbing in telemetry-names.ts.
 *
 * Two kinds, by who knows the answer:
 * - Gauges read from the runs schema at scrape time (ingest-gateway, the schema's owner, registers them
 *   with {@link registerRunGauges}): correct after any restart and whichever replica is scraped.
 * - Observations the apply worker makes as it processes a run ({@link runProcessingMetrics}): phase
 *   durations, records per run, runs processed by outcome.
 */
import client from 'prom-client';
import type { Counter, Histogram } from 'prom-client';
import { counter, histogram, metricsRegistry } from './registry.js';

/** Metric names (labels in the comments). deploy/grafana and deploy/prometheus use exactly these. */
export const RunMetricNames = {
  /** Gauge: Unix time (s) the last run that applied completed (status complete); absent before the first. */
  lastSuccessfulApply: 'usersync_last_successful_apply_timestamp_seconds',
  /** Gauge {outcome = complete|complete_with_errors|failed|cancelled}: finished runs, all time. */
  runsFinished: 'usersync_runs_finished',
  /** Gauge {status}: runs in each open status now (uploading, ready, held, running). */
  runsOpen: 'usersync_runs_open',
  /** Gauge: runs held for an admin now. */
  runsHeld: 'usersync_runs_held',
  /** Gauge: seconds the oldest held run has waited since it was ready (0 when none is held). */
  heldOldestAge: 'usersync_runs_held_oldest_age_seconds',
  /** Gauge: 1 when the last scrape read the runs schema, 0 when it failed (the other gauges are then stale). */
  runGaugesUp: 'usersync_run_gauges_up',
  /** Histogram {phase = prepare|transform|plan|apply}: seconds a run spent in each phase (apply worker). */
  phaseDuration: 'usersync_run_phase_duration_seconds',
  /** Histogram: records read per run (apply worker; runs that got as far as planning). */
  recordsPerRun: 'usersync_run_records',
  /** Counter {outcome = complete|held|failed|cancelled|retried}: runs the apply worker processed. */
  runsProcessed: 'usersync_runs_processed_total',
} as const;

/** Phase buckets (seconds): 100 ms to 2 h. */
export const PHASE_BUCKETS: readonly number[] = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
/** Records-per-run buckets: 10 to 10 million. */
export const RECORD_BUCKETS: readonly number[] = [
  10, 100, 1_000, 10_000, 50_000, 100_000, 250_000, 500_000, 1e6, 2.5e6, 1e7,
];

/** What the apply worker records about the runs it processes. */
export interface RunProcessingMetrics {
  phaseDuration: Histogram<'phase'>;
  recordsPerRun: Histogram;
  runsProcessed: Counter<'outcome'>;
}

/** The apply worker's run metrics (get-or-create). */
export function runProcessingMetrics(): RunProcessingMetrics {
  return {
    phaseDuration: histogram(
      RunMetricNames.phaseDuration,
      'Seconds a run spent in each phase of the apply worker',
      ['phase'],
      PHASE_BUCKETS,
    ),
    recordsPerRun: histogram(RunMetricNames.recordsPerRun, 'Records read per run', [], RECORD_BUCKETS),
    runsProcessed: counter(RunMetricNames.runsProcessed, 'Runs the apply worker processed, by outcome', ['outcome']),
  };
}

/** The runs schema's figures at one moment, for the gauges. */
export interface RunGaugeValues {
  /** Unix seconds; null before the first successful apply. */
  lastSuccessfulApply: number | null;
  finishedByOutcome: Record<'complete' | 'complete_with_errors' | 'failed' | 'cancelled', number>;
  openByStatus: Record<'uploading' | 'ready' | 'held' | 'running', number>;
  heldOldestAgeSeconds: number;
}

let source: { read: () => Promise<RunGaugeValues>; onError: (err: unknown) => void } = {
  read: () => Promise.reject(new Error('no run gauge source')),
  onError: () => undefined,
};
let current: { at: number; values: Promise<RunGaugeValues | undefined> } | undefined;

/**
 * Registers the run gauges, read through `read` once per scrape (the gauges share one read). A failed
 * read is handed to `onError`, leaves the last values and sets {@link RunMetricNames.runGaugesUp} to 0:
 * the scrape itself still succeeds, so the process metrics keep coming.
 */
export function registerRunGauges(read: () => Promise<RunGaugeValues>, onError: (err: unknown) => void): void {
  // The gauges are process-wide; a later registration (a restarted app, tests building several) reads anew.
  source = { read, onError };
  current = undefined;
  if (metricsRegistry.getSingleMetric(RunMetricNames.runGaugesUp)) return;
  // One read per scrape: every gauge's collect() runs within the same metrics() call.
  const values = () => {
    if (!current || Date.now() - current.at > 1_000) {
      current = {
        at: Date.now(),
        values: source.read().then(
          (v) => (up.set(1), v),
          (err: unknown) => {
            up.set(0);
            source.onError(err);
            return undefined;
          },
        ),
      };
    }
    return current.values;
  };
  const up = new client.Gauge({
    name: RunMetricNames.runGaugesUp,
    help: 'Whether the last scrape read the runs schema (1) or failed (0)',
    registers: [metricsRegistry],
    async collect() {
      await values();
    },
  });
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    fill: (g: client.Gauge, v: RunGaugeValues) => void,
  ) =>
    new client.Gauge({
      name,
      help,
      labelNames,
      registers: [metricsRegistry],
      async collect() {
        const v = await values();
        if (v) fill(this, v);
      },
    });
  gauge(RunMetricNames.lastSuccessfulApply, 'Unix time of the last successful apply', [], (g, v) => {
    if (v.lastSuccessfulApply === null) g.reset();
    else g.set(v.lastSuccessfulApply);
  });
  gauge(RunMetricNames.runsFinished, 'Finished runs by outcome, all time', ['outcome'], (g, v) => {
    for (const [outcome, n] of Object.entries(v.finishedByOutcome)) g.set({ outcome }, n);
  });
  gauge(RunMetricNames.runsOpen, 'Open runs by status', ['status'], (g, v) => {
    for (const [status, n] of Object.entries(v.openByStatus)) g.set({ status }, n);
  });
  gauge(RunMetricNames.runsHeld, 'Runs held for an admin', [], (g, v) => g.set(v.openByStatus.held));
  gauge(RunMetricNames.heldOldestAge, 'Seconds the oldest held run has waited', [], (g, v) =>
    g.set(v.heldOldestAgeSeconds),
  );
}
