/** The `keys` schema: its owner name and its migrations, shared by the service and the CLI. */
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Logger } from 'pino';
import { runMigrations } from '@usersync/platform';

/** The schema key-service owns. */
export const OWNER = 'keys';
/** Folder of the `keys` migrations (the same path from src/ and dist/). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Brings the `keys` schema up to date (idempotent; safe while the service runs). */
export async function migrateKeysSchema(pool: pg.Pool, log: Logger): Promise<void> {
  await runMigrations(pool, { owner: OWNER, dir: MIGRATIONS_DIR, log });
}
