/** Creating admin accounts, with the validation the CLI, the seeding and the portal share. */
import type pg from 'pg';
import { ConflictError, ValidationError } from '@usersync/platform';
import { adminRepository, type AdminAccount } from '../store/admin.repository.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hashPassword } from './passwords.js';

/** Deliberately loose: one @, something on each side, no spaces. Delivery is not this module's job. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Lower-cases and trims an email the way accounts store it. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Input for {@link createAdminAccount}. */
export interface NewAdmin {
  email: string;
  password: string;
  /** Defaults to the part of the email before the @. */
  displayName?: string;
}

/** Checks a new admin's fields; throws ValidationError listing every problem. */
export function validateNewAdmin(input: NewAdmin): { email: string; password: string; displayName: string } {
  const email = normaliseEmail(input.email);
  const displayName = (input.displayName ?? email.split('@')[0] ?? '').trim();
  const problems: Array<{ field: string; message: string }> = [];
  if (!EMAIL.test(email) || email.length > 254)
    problems.push({ field: 'email', message: 'must be an email address (name@host)' });
  if (input.password.length < MIN_PASSWORD_LENGTH)
    problems.push({ field: 'password', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` });
  if (input.password.length > MAX_PASSWORD_LENGTH)
    problems.push({ field: 'password', message: `must be at most ${MAX_PASSWORD_LENGTH} characters` });
  if (displayName.length < 1 || displayName.length > 200)
    problems.push({ field: 'displayName', message: 'must be 1 to 200 characters' });
  if (problems.length > 0) {
    const text = problems.map((p) => `${p.field} ${p.message}`).join('; ');
    throw new ValidationError('ADMIN_INVALID', `invalid admin account: ${text}`, problems);
  }
  return { email, password: input.password, displayName };
}

/** Creates an admin account; ConflictError when the email is taken. */
export async function createAdminAccount(db: Pick<pg.Pool, 'query'>, input: NewAdmin): Promise<AdminAccount> {
  const admin = validateNewAdmin(input);
  const created = await adminRepository(db).insert({
    email: admin.email,
    displayName: admin.displayName,
    passwordHash: await hashPassword(admin.password),
  });
  if (!created) throw new ConflictError('ADMIN_EXISTS', `an admin with email ${admin.email} already exists`);
  return created;
}
