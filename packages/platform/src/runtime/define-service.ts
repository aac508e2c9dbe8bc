/**
 * A service from a declaration: what it connects to (database with its owner's migrations, NATS with
 * its streams, the object store), whether it relays its outbox, and the edges it serves (consumers,
 * gRPC, HTTP, a health port). The platform opens, starts and stops them in the one canonical order
 * (house style §9.4), and derives the readiness checks from what was opened, so no service copies
 * the wiring or gets the shutdown order wrong.
 */
import type { FastifyInstance } from 'fastify';
import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { createGrpcServer, type GrpcServiceRegistration } from '../grpc/server.js';
import { createHealthServer } from '../http/health-server.js';
import type { HealthChecks } from '../http/readiness.js';
import { runConsumer, type ConsumerLoop, type ConsumerLoopOptions } from '../nats/consumer-loop.js';
import { ensureConsumer, type ConsumerSpec } from '../nats/jetstream-setup.js';
import type { ObjectStore } from '../objectstore/object-store.js';
import { createOutboxRelay } from '../outbox/outbox-relay.js';
import { openDatabase, openMessaging, openObjectStore, readinessChecks, type S3Config } from './infra.js';
import type { ServiceApp } from './service-main.js';

type StreamDef = { name: string; subjects: readonly string[] };

/** What a service connects to. */
export interface ServiceDeclaration {
  /** Logger binding, NATS connection name, pg application_name. */
  name: string;
  log: Logger;
  database?: { url: string; owner?: { name: string; migrationsDir: string }; maxConnections?: number };
  messaging?: { url: string; streams: readonly StreamDef[] };
  objectStore?: S3Config;
  /** Relay the owner's outbox to JetStream (needs database.owner and messaging). */
  relayOutbox?: boolean;
}

/** The connections opened for a declaration: present exactly when declared. */
export type Infra<D extends ServiceDeclaration> = {
  log: Logger;
  pool: D['database'] extends object ? Pool : undefined;
  nc: D['messaging'] extends object ? NatsConnection : undefined;
  js: D['messaging'] extends object ? JetStreamClient : undefined;
  jsm: D['messaging'] extends object ? JetStreamManager : undefined;
  objects: D['objectStore'] extends object ? ObjectStore : undefined;
  /** Readiness checks of everything opened (postgres, nats, s3), for /readyz. */
  checks: HealthChecks;
};

/** A durable consumer: created (idempotently) at build time, consumed from start() on. */
export type ConsumerDeclaration = ConsumerSpec & Omit<ConsumerLoopOptions, 'js' | 'stream' | 'durable' | 'log'>;

/** The edges a service serves, built from its connections. */
export interface ServiceEdges {
  consumers?: ConsumerDeclaration[];
  grpc?: { port: number; services: GrpcServiceRegistration[]; graceMs?: number };
  /** An HTTP server the service built (it registers the ops routes with `readiness`). */
  http?: { port: number; host?: string; server: FastifyInstance };
  /** A separate health port (workers and gRPC services): /healthz, /readyz, /metrics. */
  healthPort?: number;
  /** Background work started after the edges, stopped before them (timers, pruners). */
  tasks?: Array<{ start(): void; stop(): void | Promise<void> }>;
  /** Closed once the edges have stopped, before NATS and the pool (clients, transports). */
  close?: Array<() => void | Promise<void>>;
}

/** Readiness, for an HTTP server that registers its own ops routes. */
export interface Readiness {
  checks: HealthChecks;
  isReady: () => boolean;
}

/** A declared service: nothing listens until start(); stop() is the canonical shutdown. */
export interface DeclaredService extends ServiceApp {
  /** Bound ports once started (tests start services on port 0). */
  ports(): { http: number; grpc: number; health: number };
}

const boundPort = (server: FastifyInstance, fallback: number): number => {
  const address = server.server.address();
  return typeof address === 'object' && address ? address.port : fallback;
};

/**
 * Opens the declared connections (migrations and streams made sure of), builds the edges with
 * `edges(infra, readiness)`, and returns the service. A failure while building closes what was opened.
 * Start order: outbox relay, gRPC, HTTP, health, consumers, tasks. Stop order: not ready; tasks;
 * consumers, HTTP, gRPC (in-flight work finishes); relay; the service's own closers; NATS drain; pool;
 * health port last, so probes see 503 until the end.
 */
export async function defineService<D extends ServiceDeclaration>(
  decl: D,
  edges: (infra: Infra<D>, readiness: Readiness) => ServiceEdges | Promise<ServiceEdges>,
): Promise<DeclaredService> {
  const { log, name } = decl;
  const opened: Array<() => Promise<void>> = [];
  let ready = true;
  try {
    const pool = decl.database ? await openDatabase({ ...decl.database, service: name, log }) : undefined;
    if (pool) opened.unshift(() => pool.end());
    const messaging = decl.messaging
      ? await openMessaging({ url: decl.messaging.url, service: name, log, streams: decl.messaging.streams })
      : undefined;
    if (messaging) opened.unshift(() => messaging.nc.drain());
    const objects = decl.objectStore ? await openObjectStore(decl.objectStore) : undefined;
    const checks: HealthChecks = {};
    if (pool) checks.postgres = readinessChecks.postgres(pool);
    if (messaging) checks.nats = readinessChecks.nats(messaging.nc);
    if (objects) checks.s3 = () => objects.ping();
    const infra = { log, pool, objects, checks, ...messaging } as unknown as Infra<D>;
    const parts = await edges(infra, { checks, isReady: () => ready });

    if (decl.relayOutbox && !(pool && messaging && decl.database?.owner)) {
      throw new Error(`${name}: relayOutbox needs a database owner and messaging`);
    }
    const relay =
      decl.relayOutbox && pool && messaging
        ? createOutboxRelay({ pool, owner: decl.database!.owner!.name, js: messaging.js, log })
        : undefined;
    for (const c of parts.consumers ?? []) {
      if (!messaging) throw new Error(`${name}: consumers need messaging`);
      await ensureConsumer(messaging.jsm, c);
    }
    const grpc = parts.grpc
      ? createGrpcServer({ port: parts.grpc.port, log, services: parts.grpc.services })
      : undefined;
    const health =
      parts.healthPort === undefined ? undefined : createHealthServer({ port: parts.healthPort, log, checks });
    let loops: ConsumerLoop[] = [];
    const bound = { http: 0, grpc: 0, health: 0 };

    return {
      ports: () => bound,
      async start() {
        relay?.start();
        if (grpc) bound.grpc = await grpc.start();
        if (parts.http) {
          await parts.http.server.listen({ port: parts.http.port, host: parts.http.host ?? '0.0.0.0' });
          bound.http = boundPort(parts.http.server, parts.http.port);
        }
        if (health) bound.health = await health.listen();
        loops = await Promise.all(
          (parts.consumers ?? []).map((c) =>
            runConsumer({ ...c, js: messaging!.js, stream: c.stream, durable: c.durable, log }),
          ),
        );
        for (const t of parts.tasks ?? []) t.start();
      },
      async stop() {
        ready = false;
        health?.notReady();
        for (const t of parts.tasks ?? []) await t.stop();
        await Promise.all(loops.map((l) => l.stop()));
        if (parts.http) await parts.http.server.close();
        await grpc?.stop(parts.grpc?.graceMs ?? 5_000);
        await relay?.stop();
        for (const close of parts.close ?? []) await close();
        for (const end of opened) await end();
        await health?.close();
      },
    };
  } catch (err) {
    for (const end of opened) await end().catch(() => undefined);
    throw err;
  }
}
