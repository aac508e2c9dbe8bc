/**
 * Errors with a stable code and a kind. The kind decides, in one table, what every edge does with
 * the error: the gRPC status, the HTTP status and the JetStream action. Translate only at edges.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';

export type ErrorKind =
  'validation' | 'not_found' | 'conflict' | 'unauthenticated' | 'forbidden' | 'too_large' | 'retryable' | 'internal';

/** What a JetStream consumer does with a message whose handler threw. */
export type QueueAction = 'term' | 'ack' | 'nak';

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: ErrorKind = 'internal',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(
    code: string,
    message: string,
    readonly details: unknown[] = [],
    options?: ErrorOptions,
  ) {
    super(code, message, 'validation', options);
  }
}
export class NotFoundError extends AppError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, 'not_found', options);
  }
}
export class ConflictError extends AppError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, 'conflict', options);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, 'unauthenticated', options);
  }
}
export class ForbiddenError extends AppError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, 'forbidden', options);
  }
}
/** A transient failure of a dependency (broker, database, object store): try again later. */
export class RetryableError extends AppError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, 'retryable', options);
  }
}

interface EdgeMapping {
  grpc: GrpcStatus;
  http: number;
  queue: QueueAction;
}

/** The one table that maps an error kind to every edge (house style §9.6). */
export const ERROR_EDGES: Readonly<Record<ErrorKind, EdgeMapping>> = Object.freeze({
  validation: { grpc: GrpcStatus.INVALID_ARGUMENT, http: 400, queue: 'term' },
  not_found: { grpc: GrpcStatus.NOT_FOUND, http: 404, queue: 'term' },
  conflict: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 409, queue: 'term' },
  unauthenticated: { grpc: GrpcStatus.UNAUTHENTICATED, http: 401, queue: 'term' },
  forbidden: { grpc: GrpcStatus.PERMISSION_DENIED, http: 403, queue: 'term' },
  too_large: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 413, queue: 'term' },
  retryable: { grpc: GrpcStatus.UNAVAILABLE, http: 503, queue: 'nak' },
  internal: { grpc: GrpcStatus.INTERNAL, http: 500, queue: 'nak' },
});

/** The kind of any thrown value: unknown errors are internal. */
export function errorKind(err: unknown): ErrorKind {
  return err instanceof AppError ? err.kind : 'internal';
}

/** How each edge answers this error. Internal errors never expose their message. */
export function errorEdges(err: unknown): EdgeMapping & { code: string; publicMessage: string } {
  const kind = errorKind(err);
  const edges = ERROR_EDGES[kind];
  if (err instanceof AppError && kind !== 'internal') return { ...edges, code: err.code, publicMessage: err.message };
  return { ...edges, code: 'INTERNAL', publicMessage: 'internal error' };
}

/**
 * The `code` of a Node, pg or S3 error (`ECONNREFUSED`, a SQLSTATE, `NoSuchKey`), looking inside the
 * AggregateError that Node 20's happy-eyeballs connect throws for per-address failures.
 */
export function errorCodeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const inner = (err as { errors?: unknown[] }).errors;
  return Array.isArray(inner) ? errorCodeOf(inner[0]) : undefined;
}
