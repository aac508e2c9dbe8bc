/**
 * Promise-style handler helpers. Services write `async (request, ctx) => response`; these adapt
 * them to grpc-js's callback/stream shapes and hand thrown errors to the server's translation.
 */
import type * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import type { Logger } from 'pino';

/** What a handler gets besides its request. */
export interface RpcContext {
  /** Child logger with `{ rpc }`. */
  log: Logger;
  metadata: grpc.Metadata;
  /** Aborted when the client cancels or its deadline passes; pass it to long work. */
  signal: AbortSignal;
}

interface ServerCall {
  metadata: grpc.Metadata;
  cancelled: boolean;
  on(event: 'cancelled', listener: () => void): unknown;
}

const rpcLoggers = new WeakMap<object, Logger>();
const silent = pino({ level: 'silent' });

/** Used by the server to attach the `{ rpc }` child logger to a call. */
export function attachRpcLogger(call: object, log: Logger): void {
  rpcLoggers.set(call, log);
}

/** The context of a call; outside createGrpcServer (unit tests) the logger is silent. */
export function rpcContext(call: ServerCall): RpcContext {
  const controller = new AbortController();
  if (call.cancelled) controller.abort();
  else call.on('cancelled', () => controller.abort());
  return { log: rpcLoggers.get(call) ?? silent, metadata: call.metadata, signal: controller.signal };
}

/** Adapts `async (request, ctx) => response` to a grpc-js unary handler. */
export function unaryHandler<Req, Res>(
  fn: (request: Req, ctx: RpcContext) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request, rpcContext(call)).then(
      (response) => callback(null, response),
      (err: unknown) => callback(err as grpc.ServiceError),
    );
  };
}

/** Adapts `async (request, call, ctx) => void` (writing to `call`) to a server-streaming handler; ends the stream. */
export function serverStreamHandler<Req, Res>(
  fn: (request: Req, call: grpc.ServerWritableStream<Req, Res>, ctx: RpcContext) => Promise<void>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    fn(call.request, call, rpcContext(call)).then(
      () => call.end(),
      // grpc-js turns an 'error' event into the call's status (translated by the server wrapper).
      (err: unknown) => call.emit('error', err),
    );
  };
}

/** Adapts `async (call, ctx) => response` (reading `call`) to a client-streaming handler. */
export function clientStreamHandler<Req, Res>(
  fn: (call: grpc.ServerReadableStream<Req, Res>, ctx: RpcContext) => Promise<Res>,
): grpc.handleClientStreamingCall<Req, Res> {
  return (call, callback) => {
    fn(call, rpcContext(call)).then(
      (response) => callback(null, response),
      (err: unknown) => callback(err as grpc.ServiceError),
    );
  };
}
