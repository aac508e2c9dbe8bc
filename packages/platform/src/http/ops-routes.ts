/**
 * `/healthz`, `/readyz` and `/metrics` as fastify routes, for the HTTP services (ingest-gateway,
 * web). The routes carry `config.public = true`: an app's auth hook must let such routes through
 * (check `request.routeOptions.config.public`, or use `isPublicRoute`), since probes send no credentials.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { instrumentHttpRequests } from '../metrics/http-metrics.js';
import { collectDefaultMetricsOnce, renderMetrics } from '../metrics/registry.js';
import { checkReadiness, type HealthChecks } from './readiness.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs no authentication (health probes, metrics scrapes). */
    public?: boolean;
  }
}

export interface OpsRoutesOptions {
  checks: HealthChecks;
  /** Returns false once shutdown has begun; /readyz then answers 503. */
  isReady?: () => boolean;
  /** Time each check gets; default 2 s. */
  checkTimeoutMs?: number;
}

/** True for routes registered as public (no auth), such as the ops routes. */
export function isPublicRoute(request: FastifyRequest): boolean {
  return request.routeOptions.config.public === true;
}

/** Adds the ops routes to a fastify app (call before listen). */
export function registerOpsRoutes(app: FastifyInstance, opts: OpsRoutesOptions): void {
  collectDefaultMetricsOnce();
  instrumentHttpRequests(app);
  // Probes hit these every few seconds: keep them out of the info-level request log.
  const routeOptions = { config: { public: true }, logLevel: 'warn' as const };

  app.get('/healthz', routeOptions, async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', routeOptions, async (request, reply) => {
    const report = await checkReadiness(opts.checks, {
      log: request.log,
      timeoutMs: opts.checkTimeoutMs,
      ready: opts.isReady?.() ?? true,
    });
    void reply.code(report.statusCode).header('cache-control', 'no-store');
    return report.body;
  });

  app.get('/metrics', routeOptions, async (_request, reply) => {
    const { contentType, body } = await renderMetrics();
    void reply.type(contentType);
    return body;
  });
}
