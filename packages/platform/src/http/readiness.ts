/**
 * Readiness: every dependency check must resolve within a timeout. Shared by the plain health
 * server (workers) and the fastify ops routes (gateways) so both answer the same way.
 */
import type { BaseLogger } from 'pino';
import { counter } from '../metrics/registry.js';
import { MetricLabels, MetricNames } from '../metrics/telemetry-names.js';

/** A named dependency check: resolves when the dependency answers (its value is ignored). */
export type HealthChecks = Record<string, () => Promise<unknown>>;

/** The readiness answer: HTTP status and JSON body. Bodies name checks, never error messages. */
export interface ReadinessReport {
  statusCode: 200 | 503;
  body: { status: 'ok' | 'unavailable' | 'shutting_down'; checks: Record<string, 'ok' | 'failed' | 'timeout'> };
}

/** Default time each check gets before it counts as failed. */
export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;

const TIMEOUT = Symbol('timeout');

async function runOne(check: () => Promise<unknown>, timeoutMs: number): Promise<'ok' | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMEOUT), timeoutMs);
  });
  try {
    // Promise.resolve().then(): a check that throws synchronously still becomes a failed check.
    return await Promise.race([
      Promise.resolve()
        .then(check)
        .then(() => 'ok' as const),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs all checks in parallel; 503 naming the failing ones, or when the process is not ready. */
export async function checkReadiness(
  checks: HealthChecks,
  opts: { log: Pick<BaseLogger, 'warn'>; timeoutMs?: number; ready?: boolean },
): Promise<ReadinessReport> {
  if (opts.ready === false) return { statusCode: 503, body: { status: 'shutting_down', checks: {} } };
  const failures = counter(MetricNames.readinessCheckFailures, 'Readiness check failures', [MetricLabels.check]);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        const outcome = await runOne(check, timeoutMs);
        if (outcome === TIMEOUT) {
          opts.log.warn({ check: name, timeoutMs }, 'readiness check timed out');
          failures.inc({ check: name });
          return [name, 'timeout'] as const;
        }
        return [name, 'ok'] as const;
      } catch (err) {
        opts.log.warn({ check: name, err }, 'readiness check failed');
        failures.inc({ check: name });
        return [name, 'failed'] as const;
      }
    }),
  );
  const ok = results.every(([, outcome]) => outcome === 'ok');
  return {
    statusCode: ok ? 200 : 503,
    body: { status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results) },
  };
}
