/**
 * A gRPC server with `grpc.health.v1`, instrumented handlers and a graceful stop (house style §9.4:
 * NOT_SERVING first, then tryShutdown, then forceShutdown after the grace period).
 */
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { ServingStatus } from 'grpc-health-check';
import type { Logger } from 'pino';
import { instrumentService } from './instrument.js';

/** One service to serve: its definition, its implementation and its full proto name (for health). */
export interface GrpcServiceRegistration {
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
  /** Full proto name, e.g. `usersync.keys.v1.KeyService`: the health check's service key. */
  name: string;
}

export interface GrpcServerOptions {
  /** Port to bind; 0 picks a free one (tests). */
  port: number;
  /** Interface to bind; default all interfaces. */
  host?: string;
  log: Logger;
  services: GrpcServiceRegistration[];
  /** grpc-js server options (message size limits, keepalive). */
  serverOptions?: grpc.ServerOptions;
}

export interface GrpcServer {
  /** Binds and starts serving; resolves with the bound port. Health becomes SERVING. */
  start(): Promise<number>;
  /** NOT_SERVING, then lets in-flight calls finish for up to graceMs, then cancels the rest. */
  stop(graceMs: number): Promise<void>;
  /** Sets the health status of the whole server ('') and of every service. */
  setServing(serving: boolean): void;
}

/** Creates the server; nothing listens until start(). */
export function createGrpcServer(opts: GrpcServerOptions): GrpcServer {
  const { log, services } = opts;
  const server = new grpc.Server(opts.serverOptions);
  const keys = ['', ...services.map((s) => s.name)];
  // NOT_SERVING until start() has bound: a probe during startup must not route traffic here.
  const health = new HealthImplementation(Object.fromEntries(keys.map((k) => [k, 'NOT_SERVING' as ServingStatus])));
  health.addToServer(server);
  for (const s of services) server.addService(s.definition, instrumentService(s.definition, s.implementation, log));

  const setServing = (serving: boolean) => {
    for (const key of keys) health.setStatus(key, serving ? 'SERVING' : 'NOT_SERVING');
  };

  return {
    setServing,
    async start() {
      const address = `${opts.host ?? '0.0.0.0'}:${opts.port}`;
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) =>
          err ? reject(err) : resolve(bound),
        ),
      );
      setServing(true);
      log.info({ port, services: services.map((s) => s.name) }, 'grpc server listening');
      return port;
    },
    async stop(graceMs) {
      setServing(false);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          log.warn({ graceMs }, 'grpc calls still running after grace period, cancelling them');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      log.info('grpc server stopped');
    },
  };
}
