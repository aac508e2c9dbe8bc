/**
 * Which errors fail a run and which are retried. A run fails (rolled back, `failure`, its reason in
 * the log) when its own input is bad: corrupt data file, control file invalid at apply time, missing
 * object, bad configuration. A dependency hiccup (database connection, S3 unavailable) is retried.
 */
import { isTransientError } from '@usersync/platform';
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

/** True when the error is a dependency's hiccup: the message is retried, the run is not failed (platform's one test). */
export const isTransient: (err: unknown) => boolean = isTransientError;

/** The log lines and the admin-facing message of a run failure. */
export function describeFailure(err: unknown): { message: string; lines: RunLogLine[] } {
  if (err instanceof RunInputError) return { message: err.message, lines: err.lines };
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ReaderError) {
    return { message, lines: [exceptionLine(message, { file: err.fileName, line: err.location.line })] };
  }
  return { message, lines: [exceptionLine(message)] };
}
