/**
 * The one test of "is this failure a dependency's hiccup, worth retrying": used by consumers to nak
 * instead of failing a run, and by edges to answer 503 instead of 500.
 */
import { AppError, errorCodeOf, errorKind } from './errors.js';

/** Socket-level failures of any dependency (PostgreSQL, S3, NATS, SMTP). */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// PostgreSQL SQLSTATE classes that mean "try again": connection exception (08), operator
// intervention (57P), serialization failure and deadlock (40001, 40P01), insufficient resources (53).
const TRANSIENT_SQLSTATE = /^(08|57P|40001|40P01|53)/;
// node-postgres reports a dropped connection without a code.
const CONNECTION_LOST = /Connection terminated|connection closed|Client has encountered a connection error/i;

/** True when the error is transient: an AppError of kind retryable, or a network/database outage. */
export function isTransientError(err: unknown): boolean {
  if (err instanceof AppError) return errorKind(err) === 'retryable';
  const code = errorCodeOf(err);
  if (code && (TRANSIENT_SQLSTATE.test(code) || NETWORK_ERROR_CODES.has(code))) return true;
  return CONNECTION_LOST.test((err as Error | null)?.message ?? '');
}
