/** Reads an owner's NNN_name.sql migration files and fingerprints them. */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.js';

/** One migration, from a file or built into the platform. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const FILE = /^(\d{3,})_([A-Za-z0-9_-]+)\.sql$/;

/** sha256 of the SQL text: any edit, even whitespace, counts as a change. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/**
 * The migrations in `dir`, sorted by version. Version 000 is reserved for the platform's outbox
 * migration; duplicate versions and stray .sql files with another naming are refused, so a typo
 * cannot silently skip a migration.
 */
export async function loadMigrationFiles(dir: string): Promise<Migration[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    throw new AppError('MIGRATION_DIR_UNREADABLE', `cannot read migrations folder ${dir}`, 'internal', { cause: err });
  }
  const migrations: Migration[] = [];
  const seen = new Map<number, string>();
  for (const file of entries.sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE.exec(file);
    if (!match) throw new AppError('MIGRATION_BAD_NAME', `migration ${file} is not named NNN_name.sql`);
    const version = Number(match[1]);
    if (version === 0) throw new AppError('MIGRATION_BAD_NAME', `migration ${file}: version 000 is reserved`);
    const clash = seen.get(version);
    if (clash) throw new AppError('MIGRATION_BAD_NAME', `migrations ${clash} and ${file} share version ${version}`);
    seen.set(version, file);
    const sql = await readFile(join(dir, file), 'utf8');
    migrations.push({ version, name: match[2], sql, checksum: checksumOf(sql) });
  }
  return migrations.sort((a, b) => a.version - b.version);
}
