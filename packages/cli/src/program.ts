/**
 * The `usersync` command tree on commander: every command and subcommand has `--help` (printed, and
 * nothing else happens), unknown commands and options are refused with a suggestion, and every outcome
 * maps to one documented exit code (EXIT, README.md). Nothing reads the environment or opens a
 * connection until a command's action runs, so `--help` and usage errors never touch a server.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { AppError, createLogger, errorKind, flushLogger, loadConfig, type ErrorKind } from '@usersync/platform';
import { adminCreate } from './commands/admin.js';
import { keyCreate, keyList, keyRevoke, parseExpiry } from './commands/keys.js';
import { migrate, setupBucket, streams, CliEnv, type CliEnvValues } from './commands/setup.js';

/** Exit codes (documented in README.md; scripts rely on them). */
export const EXIT = Object.freeze({
  /** The command did what it was asked. */
  ok: 0,
  /** It failed: a server unreachable, a database error, anything unexpected (details logged to stderr). */
  failure: 1,
  /** The command line is wrong: unknown command or option, missing or malformed option value. */
  usage: 2,
  /** Understood but refused: invalid input (short password), conflict (email taken), unknown key id. */
  refused: 3,
  /** The environment is incomplete or invalid (e.g. DATABASE_URL not set). */
  config: 4,
});

/** Where the CLI writes, and the environment it reads (process's by default; tests pass their own). */
export interface CliIo {
  env?: NodeJS.ProcessEnv;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

const REFUSED: ReadonlySet<ErrorKind> = new Set(['validation', 'not_found', 'conflict', 'forbidden', 'too_large']);

const EXIT_HELP = `
Exit codes:
  0  ok        1  failed (logged to stderr)      2  usage error (unknown command or option)
  3  refused (invalid input, conflict, not found)  4  configuration (e.g. DATABASE_URL not set)

Environment: DATABASE_URL, NATS_URL, S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET, LOG_LEVEL.
Logs go to stderr; stdout carries only what scripts read (KEY=$(usersync key create --name x)).`;

/** A commander option parser that turns a thrown message into a usage error naming the value. */
const expiry = (value: string): string => {
  try {
    parseExpiry(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^--expires: /, ''));
  }
  return value;
};

/** Builds the command tree; `act` runs an action with the environment and a stderr logger. */
function buildProgram(
  io: Required<CliIo>,
  act: (fn: (env: CliEnvValues, log: pino.Logger) => Promise<void>) => Promise<void>,
) {
  const program = new Command('usersync')
    .description('The usersync ops tool: migrations, streams, setup, portal admins and API keys.')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'print help for the command and exit (never runs it)')
    .addHelpCommand('help [command]', 'print help for a command')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', EXIT_HELP);

  program
    .command('migrate')
    .description("run every schema owner's migrations (DATABASE_URL)")
    .action(() => act((env, log) => migrate(databaseUrl(env), log)));
  program
    .command('streams')
    .description('create or update the JetStream streams (NATS_URL)')
    .action(() => act((env, log) => streams(env.NATS_URL, log)));
  program
    .command('setup')
    .description('migrate, streams, and the S3 bucket when S3_ACCESS_KEY is set')
    .action(() =>
      act(async (env, log) => {
        await migrate(databaseUrl(env), log);
        await streams(env.NATS_URL, log);
        await setupBucket(env, log);
      }),
    );

  const admin = program.command('admin').description('portal admin accounts').addHelpText('after', EXIT_HELP);
  admin
    .command('create')
    .description('create a portal admin account (migrates schema admin first)')
    .requiredOption('--email <email>', 'the admin’s email address (their sign-in name)')
    .requiredOption('--password <password>', 'at least 12 characters')
    .option('--display-name <name>', 'shown in the portal and the audit log (default: the email’s local part)')
    .action((opts: { email: string; password: string; displayName?: string }) =>
      act(async (env) => {
        const line = await adminCreate({ databaseUrl: databaseUrl(env), ...opts });
        io.stdout(line);
      }),
    );

  const key = program.command('key').description('API keys for uploads (sync:upload)').addHelpText('after', EXIT_HELP);
  key
    .command('create')
    .description('create a key; stdout is the secret alone, shown this once')
    .requiredOption('--name <name>', 'what the key is for, e.g. "nightly HR export"')
    .option('--scopes <list>', 'comma-separated scopes', 'sync:upload')
    .addOption(new Option('--expires <date>', 'expiry as an ISO date (2027-01-01) or timestamp').argParser(expiry))
    .action((opts: { name: string; scopes: string; expires?: string }) =>
      act(async (env, log) => {
        const scopes = opts.scopes.split(',').map((s) => s.trim());
        write(
          io,
          await keyCreate({ name: opts.name, scopes, expires: opts.expires }, { databaseUrl: databaseUrl(env), log }),
        );
      }),
    );
  key
    .command('list')
    .description('keys as a table, newest first (no secrets)')
    .option('--all', 'include revoked keys')
    .action((opts: { all?: boolean }) =>
      act(async (env, log) =>
        write(io, await keyList({ all: opts.all === true }, { databaseUrl: databaseUrl(env), log })),
      ),
    );
  key
    .command('revoke')
    .description('revoke a key at once (revoking it again changes nothing)')
    .argument('<key-id>', 'the key’s id, from `usersync key list`')
    .action((id: string) =>
      act(async (env, log) => write(io, await keyRevoke({ id }, { databaseUrl: databaseUrl(env), log }))),
    );
  return program;
}

function write(io: Required<CliIo>, out: { stdout: string; stderr: string }): void {
  if (out.stdout) io.stdout(out.stdout);
  if (out.stderr) io.stderr(out.stderr);
}

class ConfigMissing extends Error {}

function databaseUrl(env: CliEnvValues): string {
  if (!env.DATABASE_URL) throw new ConfigMissing('DATABASE_URL is not set (e.g. postgres://user@host:5432/usersync)');
  return env.DATABASE_URL;
}

/** Runs the CLI on `argv` (without node and script) and returns its exit code; never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const out: Required<CliIo> = {
    env: io.env ?? process.env,
    stdout: io.stdout ?? ((t) => void process.stdout.write(t)),
    stderr: io.stderr ?? ((t) => void process.stderr.write(t)),
  };
  let code: number = EXIT.ok;
  const act = async (fn: (env: CliEnvValues, log: pino.Logger) => Promise<void>): Promise<void> => {
    let env: CliEnvValues;
    try {
      env = loadConfig(CliEnv, out.env);
    } catch (err) {
      out.stderr(`usersync: ${(err as Error).message}\n`);
      code = EXIT.config;
      return;
    }
    const log = createLogger({ service: 'usersync-cli', level: env.LOG_LEVEL, destination: pino.destination(2) });
    try {
      await fn(env, log);
    } catch (err) {
      code = failureCode(err, argv, out, log);
    } finally {
      await flushLogger(log);
    }
  };
  const program = buildProgram(out, act);
  if (argv.length === 0) {
    // No command is a usage error (scripts must not mistake it for success); the help goes to stderr.
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help and version are answers, not errors; everything else commander refuses is a usage error.
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  return code;
}

/** Bad input is the user's to fix: say what, plainly. Anything else is logged in full. */
function failureCode(err: unknown, argv: readonly string[], io: Required<CliIo>, log: pino.Logger): number {
  if (err instanceof ConfigMissing) {
    io.stderr(`usersync: ${err.message}\n`);
    return EXIT.config;
  }
  if (err instanceof AppError && REFUSED.has(errorKind(err))) {
    io.stderr(`usersync: ${err.message}\n`);
    return EXIT.refused;
  }
  if (err instanceof AppError && err.kind !== 'internal') io.stderr(`usersync: ${err.message}\n`);
  else log.error({ err }, `${argv.filter((a) => !a.startsWith('-')).join(' ') || 'command'} failed`);
  return EXIT.failure;
}
