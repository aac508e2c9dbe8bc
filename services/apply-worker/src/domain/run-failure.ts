/**
 * Which errors fail a run and which are retried. A run fails (rolled back, `failure`, its reason in
 * the log) when its own input is bad: corrupt data file, control file invalid at apply time, missing
 * object, bad configuration. A dependency hiccup (database connection, S3 unavailable) is retried.
 */
import { AppError, errorKind } from '@usersync/platform';
import { ReaderError } from '@usersync/control-file';
import { exceptionLine } from './log-lines.js';
import type { RunLogLine } from '@usersync/run-state';

/** A failure of the run's input, with the log lines that explain it. */
export class RunInputError extends Error {
  constructor(
    message: string,
    readonly lines: RunLogLine[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

// PostgreSQL classes that mean "try again": connection exception, operator intervention, serialization.
const TRANSIENT_PG = /^(08|57P|40001|40P01|53)/;
const TRANSIENT_NET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** True when the error is a dependency's hiccup: the message is retried, the run is not failed. */
export function isTransient(err: unknown): boolean {
  if (err instanceof AppError) return errorKind(err) === 'retryable';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TRANSIENT_PG.test(code) || TRANSIENT_NET.has(code))) return true;
  return /Connection terminated|connection closed|Client has encountered a connection error/i.test(
    (err as Error)?.message ?? '',
  );
}

/** The log lines and the admin-facing message of a run failure. */
export function describeFailure(err: unknown): { message: string; lines: RunLogLine[] } {
  if (err instanceof RunInputError) return { message: err.message, lines: err.lines };
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ReaderError) {
    return { message, lines: [exceptionLine(message, { file: err.fileName, line: err.location.line })] };
  }
  return { message, lines: [exceptionLine(message)] };
}
