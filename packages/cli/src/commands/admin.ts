/**
 * `usersync admin create --email --password [--display-name]`: an admin account for the portal.
 * Brings schema `admin` up to date first, so it works on a fresh database too.
 */
import { createLogger, createPool, runMigrations } from '@usersync/platform';
import { MIGRATIONS_DIR, OWNER, createAdminAccount } from '@usersync/web';

/** Input of {@link adminCreate}. */
export interface AdminCreateOptions {
  databaseUrl: string;
  email: string;
  password: string;
  displayName?: string;
}

/**
 * Creates an admin account and returns the line to print. Throws ValidationError (bad email,
 * password shorter than 12 characters) or ConflictError (email taken); nothing is written then.
 */
export async function adminCreate(opts: AdminCreateOptions): Promise<string> {
  const pool = createPool(opts.databaseUrl, { applicationName: 'usersync-cli', max: 2 });
  try {
    await runMigrations(pool, {
      owner: OWNER,
      dir: MIGRATIONS_DIR,
      log: createLogger({ service: 'usersync-cli', level: 'warn' }),
    });
    const admin = await createAdminAccount(pool, {
      email: opts.email,
      password: opts.password,
      displayName: opts.displayName,
    });
    return `admin ${admin.email} created (display name "${admin.displayName}", id ${admin.id})\n`;
  } finally {
    await pool.end();
  }
}
