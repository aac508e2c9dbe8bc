/**
 * `usersync`: the ops command line. Reads DATABASE_URL, NATS_URL and S3_* like the services do.
 * Logs go to stderr, so stdout carries only what scripts read (`KEY=$(usersync key create …)`).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { z } from 'zod';
import { AppError, createLogger, envSchemas, flushLogger, loadConfig, openObjectStore } from '@usersync/platform';
import { adminCreate } from './commands/admin.js';
import { KEY_USAGE, runKeyCommand } from './commands/keys.js';
import { migrate, streams } from './commands/setup.js';

const USAGE = `usage: usersync <command>

commands:
  migrate                        run every schema owner's migrations (DATABASE_URL)
  streams                        create or update the JetStream streams (NATS_URL)
  setup                          migrate, streams, and the S3 bucket when S3_ACCESS_KEY is set
  admin create --email E --password P [--display-name N]
                                 create a portal admin account
${KEY_USAGE}`;

const Env = z.object({
  ...envSchemas.database.partial().shape,
  ...envSchemas.nats.shape,
  ...envSchemas.s3.partial().shape,
  ...envSchemas.log.shape,
});
type Env = z.infer<typeof Env>;

async function setupBucket(env: Env, log: pino.Logger): Promise<void> {
  if (!env.S3_ACCESS_KEY || !env.S3_SECRET_KEY) return;
  const store = await openObjectStore({
    S3_ENDPOINT: env.S3_ENDPOINT ?? 'http://127.0.0.1:9000',
    S3_ACCESS_KEY: env.S3_ACCESS_KEY,
    S3_SECRET_KEY: env.S3_SECRET_KEY,
    S3_BUCKET: env.S3_BUCKET ?? 'usersync',
    S3_REGION: env.S3_REGION ?? 'us-east-1',
  });
  log.info({ bucket: store.bucket }, 'bucket ready');
}

async function run(argv: string[], env: Env, log: pino.Logger): Promise<number> {
  const databaseUrl = () => {
    if (!env.DATABASE_URL) throw new AppError('CLI_NO_DATABASE', 'DATABASE_URL is not set', 'validation');
    return env.DATABASE_URL;
  };
  const [command, ...rest] = argv;
  switch (command) {
    case 'migrate':
      await migrate(databaseUrl(), log);
      return 0;
    case 'streams':
      await streams(env.NATS_URL, log);
      return 0;
    case 'setup':
      await migrate(databaseUrl(), log);
      await streams(env.NATS_URL, log);
      await setupBucket(env, log);
      return 0;
    case 'admin': {
      const { positionals, values } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { email: { type: 'string' }, password: { type: 'string' }, 'display-name': { type: 'string' } },
      });
      if (positionals[0] !== 'create' || !values.email || !values.password) {
        process.stderr.write(USAGE);
        return 2;
      }
      const line = await adminCreate({
        databaseUrl: databaseUrl(),
        email: values.email,
        password: values.password,
        displayName: values['display-name'],
      });
      process.stdout.write(line);
      return 0;
    }
    case 'key': {
      const out = await runKeyCommand(rest, { databaseUrl: databaseUrl(), log });
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      return 0;
    }
    default:
      process.stderr.write(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

async function main(argv: string[]): Promise<number> {
  const env = loadConfig(Env);
  const log = createLogger({ service: 'usersync-cli', level: env.LOG_LEVEL, destination: pino.destination(2) });
  try {
    return await run(argv, env, log);
  } catch (err) {
    // Bad input is the user's to fix: say what, plainly. Anything else is logged in full.
    if (err instanceof AppError && err.kind !== 'internal') process.stderr.write(`usersync: ${err.message}\n`);
    else log.error({ err }, `${argv[0] ?? 'command'} failed`);
    return 1;
  } finally {
    await flushLogger(log);
  }
}

process.exitCode = await main(process.argv.slice(2));
