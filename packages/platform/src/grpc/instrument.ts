/**
 * Wraps every method of a service implementation: an `{ rpc }` child logger, a debug line and a
 * latency observation per call, and translation of whatever the handler threw into a gRPC status.
 */
import type { EventEmitter } from 'node:events';
import { status as Status } from '@grpc/grpc-js';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { errorKind } from '../errors.js';
import { histogram } from '../metrics/registry.js';
import { MetricLabels, MetricNames } from '../metrics/telemetry-names.js';
import { toGrpcStatus } from './error-mapping.js';
import { attachRpcLogger } from './rpc-context.js';

type AnyCall = EventEmitter & { metadata: grpc.Metadata; cancelled: boolean };
type Callback = (err: unknown, value?: unknown, trailer?: grpc.Metadata, flags?: number) => void;
type AnyHandler = (call: AnyCall, callback?: Callback) => unknown;

const rpcDuration = () =>
  histogram(MetricNames.rpcServerDuration, 'gRPC server call duration', [MetricLabels.rpc, MetricLabels.code]);

/** Calls `onError` for a sync throw or a rejected promise from a handler (async handlers are common). */
function invoke(handler: AnyHandler, call: AnyCall, callback: Callback | undefined, onError: (err: unknown) => void) {
  try {
    const result = handler(call, callback);
    if (result instanceof Promise) result.catch(onError);
  } catch (err) {
    onError(err);
  }
}

/** Returns an implementation whose handlers are instrumented and translate errors. */
export function instrumentService(
  definition: grpc.ServiceDefinition,
  implementation: grpc.UntypedServiceImplementation,
  log: Logger,
): grpc.UntypedServiceImplementation {
  const duration = rpcDuration();
  const wrapped: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const handler = implementation[name] as AnyHandler | undefined;
    if (!handler) continue; // grpc-js answers UNIMPLEMENTED for a missing method.
    const rpc = method.path.replace(/^\//, '');

    const begin = (call: AnyCall) => {
      const rpcLog = log.child({ rpc });
      attachRpcLogger(call, rpcLog);
      const started = process.hrtime.bigint();
      let finished = false;
      /** Records the outcome once; the status to send for an error. */
      const finish = (err?: unknown): grpc.StatusObject | undefined => {
        const status = err === undefined ? undefined : toGrpcStatus(err);
        if (finished) return status;
        finished = true;
        const code = status?.code ?? Status.OK;
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        duration.observe({ rpc, code: Status[code] }, seconds);
        const kind = err === undefined ? undefined : errorKind(err);
        if (kind === 'internal' && status?.code === Status.INTERNAL)
          rpcLog.error({ err, code: Status[code] }, 'rpc failed');
        else if (kind === 'retryable') rpcLog.warn({ err, code: Status[code] }, 'rpc failed, retryable');
        rpcLog.debug({ code: Status[code], ms: Math.round(seconds * 1000) }, 'rpc handled');
        return status;
      };
      return finish;
    };

    if (!method.responseStream) {
      // Unary and client-streaming: the outcome goes through the callback.
      wrapped[name] = ((call: AnyCall, callback: Callback) => {
        const finish = begin(call);
        let answered = false;
        const respond: Callback = (err, value, trailer, flags) => {
          if (answered) return;
          answered = true;
          if (err) return callback(finish(err));
          finish();
          callback(null, value, trailer, flags);
        };
        invoke(handler, call, respond, (err) => respond(err));
      }) as grpc.UntypedHandleCall;
    } else {
      // Server- and bidi-streaming: errors are 'error' events, so translate them as they are emitted.
      wrapped[name] = ((call: AnyCall) => {
        const finish = begin(call);
        const emit = call.emit.bind(call);
        call.emit = (event: string | symbol, ...args: unknown[]) =>
          event === 'error' ? emit('error', finish(args[0])) : emit(event, ...args);
        call.once('finish', () => finish());
        invoke(handler, call, undefined, (err) => call.emit('error', err));
      }) as grpc.UntypedHandleCall;
    }
  }
  return wrapped;
}
