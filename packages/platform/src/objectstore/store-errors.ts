/**
 * Translation of minio/S3 and network failures into AppErrors, so callers see kinds (not found,
 * retryable) and never an S3 message at an edge.
 */
import { AppError, NotFoundError, RetryableError, errorCodeOf } from '../errors.js';

/** Error codes of the object store area. */
export const ObjectStoreCodes = {
  tooLarge: 'OBJECT_TOO_LARGE',
  notFound: 'OBJECT_NOT_FOUND',
  badDigest: 'OBJECT_BAD_DIGEST',
  unavailable: 'OBJECT_STORE_UNAVAILABLE',
  noBucket: 'OBJECT_STORE_NO_BUCKET',
  failed: 'OBJECT_STORE_FAILED',
} as const;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
// S3 answers these when it is overloaded or restarting: worth a retry later.
const TRANSIENT_S3_CODES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'XMinioServerNotInitialized',
]);
const MISSING_OBJECT_CODES = new Set(['NoSuchKey', 'NotFound']);

/** True when S3 says the object (not the bucket) does not exist. */
export function isMissingObject(err: unknown): boolean {
  const code = errorCodeOf(err);
  return code !== undefined && MISSING_OBJECT_CODES.has(code);
}

/** Wraps any failure of an object-store call in an AppError of the right kind, keeping the cause. */
export function toStoreError(err: unknown, operation: string): AppError {
  if (err instanceof AppError) return err;
  const code = errorCodeOf(err);
  const options = { cause: err };
  if (code && MISSING_OBJECT_CODES.has(code))
    return new NotFoundError(ObjectStoreCodes.notFound, 'object not found', options);
  if (code === 'NoSuchBucket')
    return new AppError(ObjectStoreCodes.noBucket, `${operation}: bucket missing`, 'internal', options);
  if ((code && (NETWORK_CODES.has(code) || TRANSIENT_S3_CODES.has(code))) || /socket hang up/i.test(String(err))) {
    return new RetryableError(ObjectStoreCodes.unavailable, `object store unavailable during ${operation}`, options);
  }
  return new AppError(ObjectStoreCodes.failed, `object store ${operation} failed`, 'internal', options);
}
