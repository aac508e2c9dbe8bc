import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { defineService, type DeclaredService } from '@usersync/platform';
import { seedAdmin } from './security/seed-admin.js';
import { createKeyClient } from './clients/key.client.js';
import { createLookupClient } from './clients/lookup.client.js';
import { createRunClient } from './clients/run.client.js';
import type { Config } from './config.js';
import { sessionRepository } from './store/session.repository.js';
import { buildServer } from './server.js';

export const SERVICE = 'web';
/** The schema this service owns (admins, sessions, audit log). */
export const OWNER = 'admin';
/** web's migrations folder (schema `admin`). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** Expired sessions are deleted this often (they are already refused; this only keeps the table small). */
const PRUNE_EVERY_MS = 10 * 60_000;

/** The admin portal: schema `admin`, first-admin seeding, gRPC clients and the HTTP server. */
export function createApp(config: Config, log: Logger): Promise<DeclaredService> {
  return defineService(
    {
      name: SERVICE,
      log,
      database: { url: config.DATABASE_URL, owner: { name: OWNER, migrationsDir: MIGRATIONS_DIR } },
    },
    async ({ pool }, readiness) => {
      await seedAdmin(
        pool,
        {
          email: config.USERSYNC_ADMIN_EMAIL,
          password: config.USERSYNC_ADMIN_PASSWORD,
          credentialsFile: config.USERSYNC_ADMIN_CREDENTIALS_FILE,
        },
        log,
      );
      const keys = createKeyClient(config.KEY_SERVICE_ADDR);
      const runs = createRunClient(config.RUN_SERVICE_ADDR, (err) => log.debug({ err }, 'run service call failed'));
      const lookup = createLookupClient(config.LOOKUP_SERVICE_ADDR);
      const server = await buildServer({ pool, config, log, keys, runs, lookup, isReady: readiness.isReady });
      const idleMs = config.SESSION_IDLE_MINUTES * 60_000;
      let pruner: NodeJS.Timeout | undefined;
      const prune = () => {
        sessionRepository(pool)
          .deleteExpired(idleMs)
          .catch((err: unknown) => log.warn({ err }, 'session pruning failed'));
      };
      return {
        http: { port: config.HTTP_PORT, server },
        tasks: [
          {
            start: () => void (pruner = setInterval(prune, PRUNE_EVERY_MS).unref()),
            stop: () => clearInterval(pruner),
          },
        ],
        close: [() => keys.close(), () => runs.close(), () => lookup.close()],
      };
    },
  );
}
