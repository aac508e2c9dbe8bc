/** Reads what a run is applied from: the run row, its files and the sync configuration (schema runs). */
import type pg from 'pg';
import { getRun, type RunRow } from '@usersync/run-state';

/** A file of a run. */
export interface RunFile {
  name: string;
  digest: string;
  size: number;
}

/** The run with the fields the worker needs beyond RunRow. */
export interface RunInput {
  run: RunRow;
  /** Digest of the plan an admin previewed (stored when the run was held), if any. */
  previewDigest: string | null;
  files: RunFile[];
  /** The stored config object (any shape; read with applySettingsFrom). */
  config: unknown;
}

/** Loads a run for the worker; NotFoundError when it does not exist. */
export async function loadRunInput(db: Pick<pg.Pool, 'query'>, runId: number): Promise<RunInput> {
  const run = await getRun(db, runId);
  const extra = await db.query<{ plan_digest: string | null }>('SELECT plan_digest FROM runs.run WHERE id = $1', [
    runId,
  ]);
  const files = await db.query<{ name: string; digest: string; size: string }>(
    'SELECT name, digest, size FROM runs.run_file WHERE run_id = $1 ORDER BY name',
    [runId],
  );
  const config = await db.query<{ config: unknown }>('SELECT config FROM runs.sync_config WHERE id');
  return {
    run,
    previewDigest: extra.rows[0]?.plan_digest ?? null,
    files: files.rows.map((f) => ({ name: f.name, digest: f.digest, size: Number(f.size) })),
    config: config.rows[0]?.config ?? {},
  };
}
