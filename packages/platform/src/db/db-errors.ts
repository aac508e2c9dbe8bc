/** Telling a database outage (503, try later) from a bug, and spotting the unique-index race. */
import { AppError, RetryableError, errorCodeOf } from '../errors.js';
import { NETWORK_ERROR_CODES } from '../transient.js';

// PostgreSQL SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown).
const SQLSTATE_OUTAGE = /^(08|57P)/;

/** True when the error means PostgreSQL cannot be reached or went away mid-query. */
export function isDatabaseOutage(err: unknown): boolean {
  if (err instanceof AppError) return false;
  const code = errorCodeOf(err);
  if (code && (NETWORK_ERROR_CODES.has(code) || SQLSTATE_OUTAGE.test(code))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(String(err));
}

/** Runs a database operation; an outage becomes a RetryableError (HTTP 503, gRPC UNAVAILABLE). */
export async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isDatabaseOutage(err)) throw new RetryableError('DATABASE_UNAVAILABLE', 'database unavailable', { cause: err });
    throw err;
  }
}

/** True for a unique violation, optionally of one named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (errorCodeOf(err) !== '23505') return false;
  return constraint === undefined || (err as { constraint?: string }).constraint === constraint;
}
