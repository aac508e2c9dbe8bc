import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { instrumentHttpRequests, registerRunGauges, renderMetrics, runProcessingMetrics } from './index.js';
import type { RunGaugeValues } from './run-metrics.js';

const values: RunGaugeValues = {
  lastSuccessfulApply: 1_796_300_000,
  finishedByOutcome: { complete: 7, complete_with_errors: 2, failed: 1, cancelled: 3 },
  openByStatus: { uploading: 0, ready: 0, held: 1, running: 0 },
  heldOldestAgeSeconds: 5400,
};

describe('run gauges', () => {
  it('are read once per scrape, and a failed read keeps the scrape working with up = 0', async () => {
    let reads = 0;
    const errors: unknown[] = [];
    let fail = false;
    registerRunGauges(
      async () => {
        reads++;
        if (fail) throw new Error('database down');
        return values;
      },
      (err) => errors.push(err),
    );
    const { body } = await renderMetrics();
    expect(reads).toBe(1);
    expect(body).toMatch(/^usersync_run_gauges_up 1$/m);
    expect(body).toMatch(/^usersync_last_successful_apply_timestamp_seconds 1796300000$/m);
    expect(body).toMatch(/^usersync_runs_finished\{outcome="complete_with_errors"\} 2$/m);
    expect(body).toMatch(/^usersync_runs_open\{status="held"\} 1$/m);
    expect(body).toMatch(/^usersync_runs_held 1$/m);
    expect(body).toMatch(/^usersync_runs_held_oldest_age_seconds 5400$/m);

    // A new source (a restarted app) replaces the old one; its failure is reported, not thrown.
    fail = true;
    registerRunGauges(
      async () => {
        reads++;
        throw new Error('database down');
      },
      (err) => errors.push(err),
    );
    const failed = await renderMetrics();
    expect(failed.body).toMatch(/^usersync_run_gauges_up 0$/m);
    expect(failed.body).toMatch(/^usersync_runs_held 1$/m);
    expect(errors).toHaveLength(1);
  });
});

describe('run processing and HTTP metrics', () => {
  it('records phase durations, records per run and outcomes', async () => {
    const m = runProcessingMetrics();
    m.phaseDuration.observe({ phase: 'transform' }, 12);
    m.recordsPerRun.observe(116_286);
    m.runsProcessed.inc({ outcome: 'complete' });
    const { body } = await renderMetrics();
    expect(body).toContain('usersync_run_phase_duration_seconds_bucket{le="30",phase="transform"} 1');
    expect(body).toContain('usersync_run_records_bucket{le="250000"} 1');
    expect(body).toMatch(/^usersync_runs_processed_total\{outcome="complete"\} 1$/m);
  });

  it('records HTTP durations by route pattern, not by URL', async () => {
    const app = Fastify();
    instrumentHttpRequests(app);
    app.get('/runs/:id', async () => ({ ok: true }));
    await app.inject('/runs/41');
    await app.inject('/runs/42');
    await app.inject('/nowhere');
    await app.close();
    const { body } = await renderMetrics();
    expect(body).toContain(
      'usersync_http_request_duration_seconds_count{method="GET",route="/runs/:id",status_code="200"} 2',
    );
    expect(body).toContain(
      'usersync_http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 1',
    );
    expect(body).not.toContain('/runs/41');
  });
});
