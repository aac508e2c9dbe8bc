/**
 * A data file the current control file reads as a OneRoster bundle (`oneroster-csv`) is checked when it
 * is uploaded, after it is stored and before it is recorded: a script learns at once, with every problem
 * by file and line, instead of from a failed run.
 *
 * A delta bundle (manifest `file.users=delta`) is merged here onto the snapshot it follows: the same file
 * of the newest file run that was applied, is held for an admin, or was superseded while held (a held
 * run's file is itself a full snapshot, so a delta after it carries its changes forward; a run an admin
 * cancelled is not a base: its changes were refused). The run then records the merged bulk bundle and applies it like any
 * bulk export, leavers included. Without such a run there is nothing to apply a delta to, and it is refused.
 */
import type { Pool } from 'pg';
import { DeltaMergeError, mergeOneRosterDelta, validateOneRosterBundle } from '@usersync/control-file';
import { ValidationError, withDatabase, type ObjectStore } from '@usersync/platform';
import { IngestCodes } from '../domain/messages.js';
import { findCurrentControlFile } from '../store/control-files.repository.js';
import { findDeltaBase } from '../store/run-files.repository.js';
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

/** What the run records for the upload: the file as sent, or a delta merged onto its base. */
export interface CheckedUpload {
  digest: string;
  size: number;
  /** Set for a merged delta: the run whose file it was merged onto, and what the merge did. */
  merged?: { baseRunId: number; files: Record<string, Record<string, number | string>> };
}

const refuse = (message: string) => new ValidationError(IngestCodes.badBundle, message);

export async function checkUploadedBundle(
  deps: { pool: Pool; objects: ObjectStore; maxControlBytes: number },
  name: string,
  stored: { digest: string; size: number },
): Promise<CheckedUpload> {
  const { pool, objects } = deps;
  if ((await readerOf(pool, objects, name, deps.maxControlBytes)) !== 'oneroster-csv') return stored;
  const { problems, manifest } = await validateOneRosterBundle(await objects.get(stored.digest));
  if (problems.length) throw refuse(`${name} is not a valid OneRoster 1.2 CSV bundle:\n${problems.join('\n')}`);
  if (manifest?.modes.get('users.csv') !== 'delta') return stored;

  const base = await withDatabase(() => findDeltaBase(pool, name));
  if (!base)
    throw refuse(
      `${name} is a OneRoster delta bundle (file.users is delta), but no applied or held run has a ${name} to apply it to: send a bulk export first.`,
    );
  try {
    const { bundle, summary } = await mergeOneRosterDelta(
      await objects.get(base.digest),
      await objects.get(stored.digest),
    );
    const merged = await objects.putStream(bundle);
    const checked = await validateOneRosterBundle(await objects.get(merged.digest));
    if (checked.problems.length)
      throw refuse(
        `${name} applied to run ${base.runId}'s ${name} gives a bundle with problems:\n${checked.problems.join('\n')}`,
      );
    return { ...merged, merged: { baseRunId: base.runId, files: summary.files } };
  } catch (err) {
    if (err instanceof DeltaMergeError)
      throw refuse(`${name} cannot be applied to run ${base.runId}'s ${name}: ${err.message}`);
    throw err;
  }
}
