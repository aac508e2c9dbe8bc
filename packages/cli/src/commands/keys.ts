/**
 * `usersync key create|list|revoke`: API keys for ops, straight against the database with the same
 * operations key-service runs, so keys can be made before any service is up. `key create` writes
 * only the secret to stdout (`KEY=$(usersync key create --name x)` works); details go to stderr.
 */
import { userInfo } from 'node:os';
import type { Logger } from 'pino';
import { ValidationError, createLogger, createPool } from '@usersync/platform';
import {
  CLI_ACTOR,
  createKey,
  listKeys,
  migrateKeysSchema,
  revokeKey,
  type ApiKeyRecord,
  type KeyActor,
  type KeyDeps,
} from '@usersync/key-service';

/** What a key command prints: `stdout` is for scripts, `stderr` for people. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** What every key command needs. */
export interface KeyCommandContext {
  databaseUrl: string;
  /** Logger for migrations; must not write to stdout. Default: warnings and errors to stderr. */
  log?: Logger;
  /** Who acts; default the CLI, with the OS user in the display name. */
  actor?: KeyActor;
}

/** `key create` arguments. */
export interface KeyCreateArgs {
  name: string;
  /** Scopes; default `sync:upload`. */
  scopes?: string[];
  /** Expiry as an ISO date (`2027-01-01`, midnight UTC) or timestamp. */
  expires?: string;
}

/** The default CLI actor: `{kind: 'system', id: 'cli'}` naming the OS user who ran it. */
export function cliActor(): KeyActor {
  let user = '';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the plain CLI actor is still accurate.
  }
  return user ? { ...CLI_ACTOR, displayName: `${CLI_ACTOR.displayName} (${user})` } : CLI_ACTOR;
}

/** Parses `--expires`; throws a ValidationError naming the flag. */
export function parseExpiry(text: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
  const date = new Date(text);
  if (!iso.test(text) || Number.isNaN(date.getTime()))
    throw new ValidationError('KEY_INVALID', `--expires: "${text}" is not an ISO date such as 2027-01-01`, [
      { path: 'expires', message: 'not an ISO date' },
    ]);
  return date;
}

async function withKeys<T>(ctx: KeyCommandContext, fn: (deps: KeyDeps) => Promise<T>): Promise<T> {
  const log = ctx.log ?? createLogger({ service: 'usersync-cli', level: 'warn', destination: process.stderr });
  const pool = createPool(ctx.databaseUrl, { log, applicationName: 'usersync-cli', max: 2 });
  try {
    await migrateKeysSchema(pool, log);
    return await fn({ pool });
  } finally {
    await pool.end();
  }
}

/** `usersync key create --name X [--scopes a,b] [--expires 2027-01-01]`: stdout is the secret alone. */
export async function keyCreate(args: KeyCreateArgs, ctx: KeyCommandContext): Promise<CommandOutput> {
  const expiresAt = args.expires === undefined ? undefined : parseExpiry(args.expires);
  const { key, secret } = await withKeys(ctx, (deps) =>
    createKey(deps, { name: args.name, scopes: args.scopes, expiresAt, actor: ctx.actor ?? cliActor() }),
  );
  const details = [
    `created key ${key.id}`,
    `  name     ${clean(key.name)}`,
    `  prefix   ${key.displayPrefix}`,
    `  scopes   ${key.scopes.join(',')}`,
    `  expires  ${key.expiresAt ? key.expiresAt.toISOString() : 'never'}`,
    'The secret (on stdout) is shown this once; store it now. Only its SHA-256 hash is kept.',
  ];
  return { stdout: `${secret}\n`, stderr: `${details.join('\n')}\n` };
}

/** `usersync key list [--all]`: a table of keys, newest first (revoked ones with --all). */
export async function keyList(args: { all?: boolean }, ctx: KeyCommandContext): Promise<CommandOutput> {
  const keys = await withKeys(ctx, (deps) => listKeys(deps, { includeRevoked: args.all ?? false }));
  if (keys.length === 0)
    return { stdout: '', stderr: args.all ? 'no keys\n' : 'no active keys (--all shows revoked)\n' };
  return { stdout: formatKeyTable(keys), stderr: '' };
}

/** `usersync key revoke <id>`: revokes at once; revoking a revoked key changes nothing. */
export async function keyRevoke(args: { id: string }, ctx: KeyCommandContext): Promise<CommandOutput> {
  const outcome = await withKeys(ctx, (deps) => revokeKey(deps, { keyId: args.id, actor: ctx.actor ?? cliActor() }));
  const when = outcome.key.revokedAt?.toISOString() ?? '';
  return {
    stdout: '',
    stderr: outcome.revoked
      ? `revoked key ${outcome.key.id} (${clean(outcome.key.name)}) at ${when}\n`
      : `key ${outcome.key.id} was already revoked at ${when}; nothing changed\n`,
  };
}

/** Strips control characters so a hostile name cannot drive the terminal. */
function clean(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}

const day = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 16) : '-');

/** Keys as an aligned text table. */
export function formatKeyTable(keys: readonly ApiKeyRecord[]): string {
  const header = ['ID', 'NAME', 'PREFIX', 'SCOPES', 'CREATED', 'CREATED BY', 'LAST USED', 'EXPIRES', 'REVOKED'];
  const rows = keys.map((k) => [
    k.id,
    clean(k.name),
    k.displayPrefix,
    k.scopes.join(','),
    day(k.createdAt),
    clean(k.createdBy.displayName || k.createdBy.kind),
    day(k.lastUsedAt),
    day(k.expiresAt),
    day(k.revokedAt),
  ]);
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...r[i]!].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(widths[i]! - [...c].length))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
