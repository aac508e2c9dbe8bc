/**
 * First-start admin (DESIGN §9): while no admin account exists, create one from
 * USERSYNC_ADMIN_EMAIL / USERSYNC_ADMIN_PASSWORD; without a password, generate one and show it
 * once (a clearly marked warn line, and the credentials file when configured). Replicas starting
 * together serialise on an advisory lock, so exactly one of them creates the account.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type pg from 'pg';
import type { Logger } from 'pino';
import { withTransaction } from '@usersync/platform';
import { adminRepository } from '../store/admin.repository.js';
import { auditRepository } from '../store/audit.repository.js';
import { createAdminAccount } from './admin-accounts.js';
import { generatePassword } from './passwords.js';

/** Email of the generated admin when USERSYNC_ADMIN_EMAIL is not set. */
export const DEFAULT_ADMIN_EMAIL = 'admin@localhost';
/** Advisory lock key for seeding ('usadmin' in ASCII). */
const SEED_LOCK_KEY = BigInt('0x757361646d696e').toString();

/** Seeding settings, from config. */
export interface SeedOptions {
  email?: string;
  password?: string;
  credentialsFile?: string;
}

/** What seeding did. `password` is set only when it was generated (so the caller may show it). */
export type SeedOutcome = { created: false } | { created: true; email: string; generatedPassword?: string };

/** Creates the first admin when there is none; a no-op otherwise. */
export async function seedAdmin(pool: pg.Pool, opts: SeedOptions, log: Logger): Promise<SeedOutcome> {
  const outcome = await withTransaction(pool, async (client): Promise<SeedOutcome> => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [SEED_LOCK_KEY]);
    if ((await adminRepository(client).count()) > 0) return { created: false };
    const email = opts.email ?? DEFAULT_ADMIN_EMAIL;
    const generatedPassword = opts.password === undefined ? generatePassword() : undefined;
    const admin = await createAdminAccount(client, { email, password: opts.password ?? generatedPassword! });
    await auditRepository(client).write({
      actor: { kind: 'system', id: '', displayName: 'usersync' },
      action: 'admin.seeded',
      target: admin.email,
      detail: { generatedPassword: generatedPassword !== undefined },
      ip: null,
    });
    return { created: true, email: admin.email, generatedPassword };
  });
  if (!outcome.created) {
    if (opts.email || opts.password) log.debug('an admin exists; USERSYNC_ADMIN_* ignored');
    return outcome;
  }
  if (outcome.generatedPassword === undefined) {
    log.info({ email: outcome.email }, 'first admin created from USERSYNC_ADMIN_EMAIL / USERSYNC_ADMIN_PASSWORD');
    return outcome;
  }
  if (opts.credentialsFile) await writeCredentials(opts.credentialsFile, outcome.email, outcome.generatedPassword);
  // Shown once, by design (DESIGN §9): this is the only way to learn a generated password. The key
  // is not `password`, which the logger redacts everywhere else on purpose.
  log.warn(
    { email: outcome.email, initialAdminPassword: outcome.generatedPassword, credentialsFile: opts.credentialsFile },
    '*** FIRST ADMIN CREATED WITH A GENERATED PASSWORD: sign in with this email and password, then keep them safe; it is not shown again ***',
  );
  return outcome;
}

async function writeCredentials(file: string, email: string, password: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `email: ${email}\npassword: ${password}\n`, { mode: 0o600 });
  // writeFile's mode applies only to a new file; an older file keeps its mode without this.
  await chmod(file, 0o600);
}
