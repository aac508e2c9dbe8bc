/**
 * gRPC client helpers: a default deadline on every call (a peer that hangs must not hang us), and
 * a promise wrapper for unary calls that turns failures into AppErrors.
 */
import * as grpc from '@grpc/grpc-js';
import { status as Status } from '@grpc/grpc-js';
import { histogram } from '../metrics/registry.js';
import { MetricLabels, MetricNames } from '../metrics/telemetry-names.js';
import { fromServiceError } from './error-mapping.js';

/** Deadline applied when a call sets none. */
export const DEFAULT_DEADLINE_MS = 5_000;

type ClientCtor<C> = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: Partial<grpc.ClientOptions>,
) => C;

export interface GrpcClientOptions {
  /** Deadline for calls that set none; default 5 s. */
  deadlineMs?: number;
  /** Default: insecure (traffic stays inside the cluster network). */
  credentials?: grpc.ChannelCredentials;
  options?: Partial<grpc.ClientOptions>;
}

/** Creates a client (e.g. ts-proto's `KeyServiceClient`) whose calls get a default deadline. */
export function createGrpcClient<C extends grpc.Client>(
  Ctor: ClientCtor<C>,
  address: string,
  opts: GrpcClientOptions = {},
): C {
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const withDeadline: grpc.Interceptor = (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options.deadline ? options : { ...options, deadline: Date.now() + deadlineMs }));
  return new Ctor(address, opts.credentials ?? grpc.credentials.createInsecure(), {
    ...opts.options,
    interceptors: [withDeadline, ...(opts.options?.interceptors ?? [])],
  });
}

type UnaryArgs<Req, Res> = [
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (err: grpc.ServiceError | null, response: Res) => void,
];
type UnaryMethod<Req, Res> = (...args: UnaryArgs<Req, Res>) => grpc.ClientUnaryCall;

/**
 * Names of a client's unary methods: those whose last overload is ts-proto's
 * `(request, metadata, options, callback) => ClientUnaryCall` (streaming methods take fewer arguments).
 */
export type UnaryMethodName<C> = {
  [K in keyof C]-?: C[K] extends (...args: infer A) => grpc.ClientUnaryCall
    ? A extends UnaryArgs<unknown, infer _Res>
      ? K
      : never
    : never;
}[keyof C];
type RequestOf<M> = M extends (...args: UnaryArgs<infer Req, infer _Res>) => grpc.ClientUnaryCall ? Req : never;
type ResponseOf<M> = M extends (...args: UnaryArgs<infer _Req, infer Res>) => grpc.ClientUnaryCall ? Res : never;

export interface UnaryOptions {
  /** Overrides the client's default deadline for this call. */
  deadlineMs?: number;
  metadata?: grpc.Metadata;
}

/** Calls a unary method and resolves with its response; rejects with an AppError (see fromServiceError). */
// K is constrained by `keyof C` only: with the mapped UnaryMethodName<C> as its constraint TS infers the
// whole union and widens the response type. A non-unary method still cannot be called: RequestOf is never.
export function unary<C extends grpc.Client, K extends keyof C>(
  client: C,
  method: K,
  request: NoInfer<RequestOf<C[K]>>,
  opts: UnaryOptions = {},
): Promise<ResponseOf<C[K]>> {
  const duration = histogram(MetricNames.rpcClientDuration, 'gRPC client call duration', [
    MetricLabels.rpc,
    MetricLabels.code,
  ]);
  const end = duration.startTimer({ rpc: String(method) });
  const fn = client[method] as unknown as UnaryMethod<RequestOf<C[K]>, ResponseOf<C[K]>>;
  const options: Partial<grpc.CallOptions> = {};
  if (opts.deadlineMs !== undefined) options.deadline = Date.now() + opts.deadlineMs;
  return new Promise((resolve, reject) => {
    fn.call(client, request, opts.metadata ?? new grpc.Metadata(), options, (err, response) => {
      end({ code: Status[err?.code ?? Status.OK] });
      if (err) reject(fromServiceError(err));
      else resolve(response);
    });
  });
}
