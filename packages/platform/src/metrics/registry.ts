/**
 * The process-wide prom-client registry. Every module records into the default registry so one
 * `GET /metrics` shows everything; metrics are get-or-create because several modules (and tests
 * that build several servers) may ask for the same metric, and prom-client throws on re-registration.
 */
import client from 'prom-client';
import type { Counter, Histogram } from 'prom-client';
import { LATENCY_BUCKETS } from './telemetry-names.js';

/** The registry `/metrics` serves: prom-client's default registry. */
export const metricsRegistry = client.register;

let defaultsCollected = false;

/** Starts prom-client's default process metrics (CPU, memory, event loop lag) once per process. */
export function collectDefaultMetricsOnce(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  // Another copy of the library (or a test) may have started them already: that is fine.
  if (metricsRegistry.getSingleMetric('process_cpu_user_seconds_total')) return;
  client.collectDefaultMetrics({ register: metricsRegistry });
}

/** The histogram with this name, created on first use. */
export function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: readonly number[] = LATENCY_BUCKETS,
): Histogram<L> {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Histogram<L>;
  return new client.Histogram({ name, help, labelNames, buckets: [...buckets], registers: [metricsRegistry] });
}

/** The counter with this name, created on first use. */
export function counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new client.Counter({ name, help, labelNames, registers: [metricsRegistry] });
}

/** The registry's metrics in Prometheus text format, with the content type to send. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
