/**
 * Zod fragments for the shared infrastructure variables (house style §9.2 names), so services
 * compose them instead of repeating them: `z.object({ ...envSchemas.database.shape, ...envSchemas.s3.shape })`.
 * Defaults point at the local development stack only; production sets every value explicitly.
 */
import { z } from 'zod';

/** A TCP port from the environment: a string coerced to an integer in 1..65535, with a default. */
export function port(defaultPort: number) {
  return z.coerce.number().int().min(1).max(65535).default(defaultPort);
}

/** A boolean from the environment: `true`/`false`/`1`/`0` (any case), with a default. */
export function bool(defaultValue: boolean) {
  return z.stringbool({ truthy: ['true', '1'], falsy: ['false', '0'] }).default(defaultValue);
}

/** pino's level names. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A URL with a scheme; DATABASE_URL and NATS_URL are not http URLs, so only parseability is checked. */
const anyUrl = () => z.string().refine((v) => URL.canParse(v), { message: 'must be a URL (scheme://host…)' });

/** Reusable fragments for shared infrastructure; spread their `.shape` into a service's schema. */
export const envSchemas = {
  /** PostgreSQL: DATABASE_URL (required; no default, it carries credentials). */
  database: z.object({ DATABASE_URL: anyUrl() }),
  /** NATS: NATS_URL, default the local server. */
  nats: z.object({ NATS_URL: anyUrl().default('nats://127.0.0.1:4222') }),
  /** S3-compatible object store: keys are required, everything else defaults to the local stack. */
  s3: z.object({
    S3_ENDPOINT: anyUrl().default('http://127.0.0.1:9000'),
    S3_ACCESS_KEY: z.string().min(1),
    S3_SECRET_KEY: z.string().min(1),
    S3_BUCKET: z.string().min(3).default('usersync'),
    S3_REGION: z.string().min(1).default('us-east-1'),
  }),
  /** Logging: LOG_LEVEL, one of pino's levels, default info. */
  log: z.object({ LOG_LEVEL: z.enum(LOG_LEVELS).default('info') }),
} as const;
