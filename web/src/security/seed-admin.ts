/**
 * First-start admin (DESIGN §9): while no admin account exists, create one from
 * USERSYNC_ADMIN_EMAIL / USERSYNC_ADMIN_PASSWORD; without a password, generate one and write it to a
 * credentials file (mode 0600; USERSYNC_ADMIN_CREDENTIALS_FILE, default `admin-credentials.txt` in the
 * working directory). The password never goes to the log: logs are shipped, kept and read by more
 * people than the one who should sign in first; the log names only the file. Replicas starting
 * together serialise on an advisory lock, so exactly one of them creates the account.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type pg from 'pg';
import type { Logger } from 'pino';
import { withTransaction } from '@usersync/platform';
import { adminRepository } from '../store/admin.repository.js';
import { auditRepository } from '../store/audit.repository.js';
import { createAdminAccount } from './admin-accounts.js';
import { generatePassword } from './passwords.js';

/** Email of the generated admin when USERSYNC_ADMIN_EMAIL is not set. */
export const DEFAULT_ADMIN_EMAIL = 'admin@localhost';
/** Where a generated password goes when USERSYNC_ADMIN_CREDENTIALS_FILE is not set: the working (data) directory. */
export const DEFAULT_CREDENTIALS_FILE = 'admin-credentials.txt';
/** Advisory lock key for seeding ('usadmin' in ASCII). */
const SEED_LOCK_KEY = BigInt('0x757361646d696e').toString();

/** Seeding settings, from config. */
export interface SeedOptions {
  email?: string;
  password?: string;
  /** Where a generated password is written; relative paths are from the working directory. */
  credentialsFile?: string;
}

/** What seeding did. `generatedPassword` is set only when it was generated (it is in the credentials file). */
export type SeedOutcome =
  { created: false } | { created: true; email: string; generatedPassword?: string; credentialsFile?: string };

/** Creates the first admin when there is none; a no-op otherwise. */
export async function seedAdmin(pool: pg.Pool, opts: SeedOptions, log: Logger): Promise<SeedOutcome> {
  const outcome = await withTransaction(pool, async (client): Promise<SeedOutcome> => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [SEED_LOCK_KEY]);
    if ((await adminRepository(client).count()) > 0) return { created: false };
    const email = opts.email ?? DEFAULT_ADMIN_EMAIL;
    const generatedPassword = opts.password === undefined ? generatePassword() : undefined;
    const admin = await createAdminAccount(client, { email, password: opts.password ?? generatedPassword! });
    // Written before the account commits: when the file cannot be written (read-only disk, bad path) the
    // start fails with that error and no admin exists, rather than an admin whose password nobody knows.
    const credentialsFile =
      generatedPassword === undefined ? undefined : resolve(opts.credentialsFile ?? DEFAULT_CREDENTIALS_FILE);
    if (credentialsFile) await writeCredentials(credentialsFile, admin.email, generatedPassword!);
    await auditRepository(client).write({
      actor: { kind: 'system', id: '', displayName: 'usersync' },
      action: 'admin.seeded',
      target: admin.email,
      detail: { generatedPassword: generatedPassword !== undefined },
      ip: null,
    });
    return { created: true, email: admin.email, generatedPassword, credentialsFile };
  });
  if (!outcome.created) {
    if (opts.email || opts.password) log.debug('an admin exists; USERSYNC_ADMIN_* ignored');
    return outcome;
  }
  if (outcome.generatedPassword === undefined) {
    log.info({ email: outcome.email }, 'first admin created from USERSYNC_ADMIN_EMAIL / USERSYNC_ADMIN_PASSWORD');
    return outcome;
  }
  log.warn(
    { email: outcome.email, credentialsFile: outcome.credentialsFile },
    '*** FIRST ADMIN CREATED WITH A GENERATED PASSWORD: it is in the credentials file (mode 0600) named here; sign in, change it, then delete the file ***',
  );
  return outcome;
}

async function writeCredentials(file: string, email: string, password: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `email: ${email}\npassword: ${password}\n`, { mode: 0o600 });
  // writeFile's mode applies only to a new file; an older file keeps its mode without this.
  await chmod(file, 0o600);
}
