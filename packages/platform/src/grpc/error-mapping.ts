/**
 * AppError ⇄ gRPC status, both directions. Outgoing errors go through `errorEdges` (the one table
 * in errors.ts); incoming ServiceErrors become AppErrors of the matching kind so a gateway can
 * answer 404 vs 503 without knowing gRPC.
 */
import { Metadata, status as Status } from '@grpc/grpc-js';
import type { ServiceError, StatusObject } from '@grpc/grpc-js';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RetryableError,
  UnauthenticatedError,
  ValidationError,
  errorEdges,
} from '../errors.js';

/** Trailer carrying the AppError code (UPPER_SNAKE) across the wire. */
export const ERROR_CODE_KEY = 'x-error-code';
/** Binary trailer carrying a ValidationError's details as JSON (binary: details may hold any text). */
export const ERROR_DETAILS_KEY = 'x-error-details-bin';

/** An object grpc-js sends as a status: numeric `code`, public `details`, trailers. */
export type GrpcStatusError = Partial<StatusObject> & { code: Status; details: string; metadata: Metadata };

/** True for an error a handler built as a gRPC status on purpose (numeric code). */
export function isGrpcStatus(err: unknown): err is Partial<StatusObject> & { code: Status } {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number';
}

/**
 * The status to send for a thrown value. Internal errors become INTERNAL / "internal error": the
 * real message (SQL, S3, a stack) is logged by the caller, never sent.
 */
export function toGrpcStatus(err: unknown): GrpcStatusError {
  if (isGrpcStatus(err)) {
    return { code: err.code, details: err.details ?? '', metadata: err.metadata ?? new Metadata() };
  }
  const edges = errorEdges(err);
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_KEY, edges.code);
  if (err instanceof ValidationError && err.details.length > 0) {
    metadata.set(ERROR_DETAILS_KEY, Buffer.from(JSON.stringify(err.details), 'utf8'));
  }
  return { code: edges.grpc, details: edges.publicMessage, metadata };
}

function readDetails(metadata: Metadata | undefined): unknown[] {
  const raw = metadata?.get(ERROR_DETAILS_KEY)[0];
  if (!Buffer.isBuffer(raw)) return [];
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/** The AppError for a failed call: kind from the status, code and details from the trailers. */
export function fromServiceError(err: ServiceError | (Error & Partial<StatusObject>)): AppError {
  const grpcCode = typeof err.code === 'number' ? err.code : Status.UNKNOWN;
  const sent = err.metadata?.get(ERROR_CODE_KEY)[0];
  const code = typeof sent === 'string' ? sent : `GRPC_${Status[grpcCode] ?? 'UNKNOWN'}`;
  const message = err.details || Status[grpcCode] || 'rpc failed';
  const options = { cause: err };
  switch (grpcCode) {
    case Status.INVALID_ARGUMENT:
      return new ValidationError(code, message, readDetails(err.metadata), options);
    case Status.NOT_FOUND:
      return new NotFoundError(code, message, options);
    case Status.ALREADY_EXISTS:
    case Status.FAILED_PRECONDITION:
    case Status.ABORTED:
      return new ConflictError(code, message, options);
    case Status.UNAUTHENTICATED:
      return new UnauthenticatedError(code, message, options);
    case Status.PERMISSION_DENIED:
      return new ForbiddenError(code, message, options);
    case Status.RESOURCE_EXHAUSTED:
      return new AppError(code, message, 'too_large', options);
    // A peer that is down, overloaded or too slow: the caller may try again later (HTTP 503).
    case Status.UNAVAILABLE:
    case Status.DEADLINE_EXCEEDED:
      return new RetryableError(code, message, options);
    default:
      return new AppError(code, message, 'internal', options);
  }
}
