/**
 * `usersync`: the ops command line. Reads DATABASE_URL and NATS_URL like the services do.
 *   usersync migrate     run every schema owner's migrations
 *   usersync streams     create or update the JetStream streams
 *   usersync setup       both (what `npm start` and the deploy Job run first)
 */
import { z } from 'zod';
import { createLogger, envSchemas, flushLogger, loadConfig } from '@usersync/platform';
import { migrate, streams } from './commands/setup.js';

const USAGE = `usage: usersync <command>

commands:
  migrate   run every schema owner's migrations (DATABASE_URL)
  streams   create or update the JetStream streams (NATS_URL)
  setup     migrate, then streams
`;

const Env = z.object({ ...envSchemas.database.partial().shape, ...envSchemas.nats.shape, ...envSchemas.log.shape });

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  const env = loadConfig(Env);
  const log = createLogger({ service: 'usersync-cli', level: env.LOG_LEVEL });
  const databaseUrl = () => {
    if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not set');
    return env.DATABASE_URL;
  };
  try {
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
        return 0;
      default:
        process.stderr.write(USAGE);
        return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
    }
  } catch (err) {
    log.error({ err }, `${command} failed`);
    return 1;
  } finally {
    await flushLogger(log);
  }
}

process.exitCode = await main(process.argv.slice(2));
