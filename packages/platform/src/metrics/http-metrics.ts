/**
 * HTTP request durations for the fastify services (usersync_http_request_duration_seconds), recorded on
 * every response by route pattern, never by raw URL (ids and query strings would explode the series).
 */
import type { FastifyInstance } from 'fastify';
import { histogram } from './registry.js';
import { MetricLabels, MetricNames } from './telemetry-names.js';

/** Adds the onResponse hook that records request durations (registerOpsRoutes calls it). */
export function instrumentHttpRequests(app: FastifyInstance): void {
  const duration = histogram(MetricNames.httpRequestDuration, 'HTTP request duration in seconds', [
    MetricLabels.method,
    MetricLabels.route,
    MetricLabels.status,
  ]);
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        // The route's pattern (/api/user-sync/runs/:id); unmatched requests (404s) share one series.
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}
