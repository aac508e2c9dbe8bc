/**
 * Validated, frozen configuration from the environment (house style §9.5). A service's config.ts
 * is the only caller; it fails fast at start with the names of the bad variables, never their values.
 */
import type { z } from 'zod';
import { AppError } from '../errors.js';

/** Thrown when the environment does not match the schema. Lists variable names and reasons only. */
export class ConfigError extends AppError {
  constructor(
    readonly variables: readonly string[],
    message: string,
  ) {
    super('CONFIG_INVALID', message, 'internal');
  }
}

type Env = Record<string, string | undefined>;

/** Validates `env` against `schema` once and returns a frozen, typed result. Throws ConfigError. */
export function loadConfig<T extends z.ZodObject>(schema: T, env: Env = process.env): Readonly<z.infer<T>> {
  const result = schema.safeParse(env);
  if (result.success) return Object.freeze(result.data) as Readonly<z.infer<T>>;

  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const name = issue.path.length > 0 ? String(issue.path[0]) : '(environment)';
    if (problems.has(name)) continue;
    problems.set(name, describe(issue.message, env[name]));
  }
  const list = [...problems].map(([name, reason]) => `${name} (${reason})`).join(', ');
  throw new ConfigError([...problems.keys()], `invalid environment: ${list}`);
}

/** A reason that cannot echo the value: zod messages normally don't, but custom refinements might. */
function describe(message: string, value: string | undefined): string {
  if (value === undefined) return 'missing';
  if (value.length >= 3 && message.includes(value)) return 'invalid value';
  // Issue messages are one line; keep them that way so logs stay parseable.
  return message.replace(/\s+/g, ' ').trim();
}
