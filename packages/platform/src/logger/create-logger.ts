/**
 * The one root logger per process (house style §9.7): JSON to stdout, base bindings
 * `{ service, version }`, and redaction of credentials wherever they are likely to be logged.
 */
import { pino } from 'pino';
import type { DestinationStream, Level, Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors. `*.x` matches one level below the root (`{ key: { secret } }`); the bare
 * names cover a secret logged at the root. Request headers come from fastify's req serializer.
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'secret',
  'password',
  'apiKey',
  'token',
  'authorization',
  '*.secret',
  '*.password',
  '*.apiKey',
  '*.token',
  '*.authorization',
];

export interface LoggerOptions {
  /** The service name: the same string as the compose service and NATS connection name. */
  service: string;
  /** pino level name (`LOG_LEVEL`). */
  level: Level | 'silent';
  /** The build's version; the package version or image tag. */
  version?: string;
  /** Where JSON lines go; stdout when omitted. Tests pass a stream to capture output. */
  destination?: DestinationStream;
}

/** Creates the process's root pino logger with service bindings and secret redaction. */
export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: { service: opts.service, version: opts.version ?? 'dev' },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
      // Level names rather than numbers: log queries and humans read `"level":"error"` directly.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** Flushes buffered log lines; the last shutdown step, so nothing is lost on exit. */
export function flushLogger(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    // flush() throws on a destination without buffering support; there is nothing to flush then.
    try {
      log.flush(() => resolve());
    } catch {
      resolve();
    }
  });
}
