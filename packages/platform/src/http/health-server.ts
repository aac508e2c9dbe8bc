/**
 * A minimal HTTP server for processes without an HTTP API of their own (workers, gRPC services):
 * `GET /healthz`, `GET /readyz`, `GET /metrics` on HEALTH_PORT. Plain node:http, no framework.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { collectDefaultMetricsOnce, renderMetrics } from '../metrics/registry.js';
import { checkReadiness, type HealthChecks } from './readiness.js';

export interface HealthServerOptions {
  /** Port to listen on (HEALTH_PORT); 0 picks a free one. */
  port: number;
  /** Interface; default all interfaces (probes come from outside the container). */
  host?: string;
  checks: HealthChecks;
  log: Logger;
  /** Time each check gets; default 2 s. */
  checkTimeoutMs?: number;
}

export interface HealthServer {
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
  /** From now on /readyz answers 503: the first shutdown step. */
  notReady(): void;
}

/** Creates the health server; nothing listens until listen(). */
export function createHealthServer(opts: HealthServerOptions): HealthServer {
  collectDefaultMetricsOnce();
  let ready = true;
  const server = createServer((req, res) => {
    const send = (status: number, body: string, type = 'application/json; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, JSON.stringify({ status: 'method_not_allowed' }));
    if (path === '/healthz') return send(200, JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      void checkReadiness(opts.checks, { log: opts.log, timeoutMs: opts.checkTimeoutMs, ready }).then((report) =>
        send(report.statusCode, JSON.stringify(report.body)),
      );
      return;
    }
    if (path === '/metrics') {
      renderMetrics().then(
        ({ contentType, body }) => send(200, body, contentType),
        (err: unknown) => {
          opts.log.error({ err }, 'metrics rendering failed');
          send(500, JSON.stringify({ status: 'error' }));
        },
      );
      return;
    }
    send(404, JSON.stringify({ status: 'not_found' }));
  });
  // Probes use short-lived connections; do not let an idle keep-alive socket delay close().
  server.keepAliveTimeout = 1_000;

  return {
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
          server.off('error', reject);
          resolve();
        });
      });
      const port = (server.address() as AddressInfo).port;
      opts.log.info({ port }, 'health server listening');
      return port;
    },
    notReady() {
      ready = false;
    },
    async close() {
      ready = false;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
