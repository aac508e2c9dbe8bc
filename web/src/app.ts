import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { openDatabase, readinessChecks, registerOpsRoutes, type ServiceApp } from '@usersync/platform';
import type { Config } from './config.js';

export const SERVICE = 'web';
/** The schema this service owns (admins, sessions, audit log). */
export const OWNER = 'admin';
const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** Wires the admin portal: schema `admin`, the HTTP server and its gRPC clients. */
export async function createApp(config: Config, log: Logger): Promise<ServiceApp> {
  const pool = await openDatabase({
    url: config.DATABASE_URL,
    service: SERVICE,
    log,
    owner: { name: OWNER, migrationsDir: MIGRATIONS },
  });
  let ready = true;
  const http = Fastify({ loggerInstance: log as FastifyBaseLogger });
  registerOpsRoutes(http, { isReady: () => ready, checks: { postgres: readinessChecks.postgres(pool) } });
  return {
    async start() {
      await http.listen({ port: config.HTTP_PORT, host: '0.0.0.0' });
    },
    async stop() {
      ready = false;
      await http.close();
      await pool.end();
    },
  };
}
