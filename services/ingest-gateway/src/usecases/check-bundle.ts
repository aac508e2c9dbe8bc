/**
 * A data file the current control file reads as a OneRoster bundle (`oneroster-csv`) is checked when it
 * is uploaded, after it is stored and before it is recorded: a script learns at once, with every problem
 * by file and line, instead of from a failed run. A delta bundle is refused the same way, since runs
 * apply bulk bundles only (a run would fail on it).
 */
import type { Pool } from 'pg';
import { validateOneRosterBundle } from '@usersync/control-file';
import { ValidationError, withDatabase, type ObjectStore } from '@usersync/platform';
import { IngestCodes } from '../domain/messages.js';
import { findCurrentControlFile } from '../store/control-files.repository.js';
import { readControlBytes } from './read-limited.js';

/** The reader the current control file names for `name`, if any. */
async function readerOf(
  pool: Pool,
  objects: ObjectStore,
  name: string,
  maxControlBytes: number,
): Promise<string | undefined> {
  const current = await withDatabase(() => findCurrentControlFile(pool));
  if (!current) return undefined;
  try {
    const json = JSON.parse(
      (await readControlBytes(await objects.get(current.digest), maxControlBytes)).toString('utf8'),
    ) as {
      files?: Record<string, { read?: unknown }>;
    };
    const read = json.files?.[name]?.read;
    return typeof read === 'string' ? read : undefined;
  } catch {
    return undefined; // a control file that cannot be read here was checked when it was uploaded
  }
}

export async function checkUploadedBundle(
  deps: { pool: Pool; objects: ObjectStore; maxControlBytes: number },
  name: string,
  digest: string,
): Promise<void> {
  const { pool, objects } = deps;
  if ((await readerOf(pool, objects, name, deps.maxControlBytes)) !== 'oneroster-csv') return;
  const { problems, manifest } = await validateOneRosterBundle(await objects.get(digest));
  if (problems.length)
    throw new ValidationError(
      IngestCodes.badBundle,
      `${name} is not a valid OneRoster 1.2 CSV bundle:\n${problems.join('\n')}`,
    );
  if (manifest?.modes.get('users.csv') === 'delta')
    throw new ValidationError(
      IngestCodes.badBundle,
      `${name} is a OneRoster delta bundle (file.users is delta); usersync applies bulk bundles only in this release: send a bulk export.`,
    );
}
