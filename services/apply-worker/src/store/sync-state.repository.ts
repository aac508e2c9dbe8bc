/** directory.sync_state: the transform fingerprint of each source's last completed run (migrations 004, 008). */
import type pg from 'pg';
import type { RunSource } from '@usersync/run-state';

/** The fingerprint the source's digests were last verified under, or undefined before any of its runs completed. */
export async function lastTransformFingerprint(client: pg.ClientBase, source: RunSource): Promise<string | undefined> {
  const { rows } = await client.query<{ transform_fingerprint: string }>(
    'SELECT transform_fingerprint FROM directory.sync_state WHERE source = $1',
    [source],
  );
  return rows[0]?.transform_fingerprint;
}

/** Records that run `runId` of `source`, completing now, verified every in-feed user of the source under `fingerprint`. */
export async function saveTransformFingerprint(
  client: pg.ClientBase,
  source: RunSource,
  fingerprint: string,
  runId: number,
): Promise<void> {
  await client.query(
    `INSERT INTO directory.sync_state (source, transform_fingerprint, run_id) VALUES ($1, $2, $3)
     ON CONFLICT (source) DO UPDATE SET transform_fingerprint = EXCLUDED.transform_fingerprint, run_id = EXCLUDED.run_id,
       updated_at = now()`,
    [source, fingerprint, runId],
  );
}
