/** directory.sync_state: the transform fingerprint of the last completed run (migration 004). */
import type pg from 'pg';

/** The fingerprint the directory's digests were last verified under, or undefined before any run completed. */
export async function lastTransformFingerprint(client: pg.ClientBase): Promise<string | undefined> {
  const { rows } = await client.query<{ transform_fingerprint: string }>(
    'SELECT transform_fingerprint FROM directory.sync_state WHERE id',
  );
  return rows[0]?.transform_fingerprint;
}

/** Records that run `runId`, completing now, verified every in-feed user under `fingerprint`. */
export async function saveTransformFingerprint(
  client: pg.ClientBase,
  fingerprint: string,
  runId: number,
): Promise<void> {
  await client.query(
    `INSERT INTO directory.sync_state (id, transform_fingerprint, run_id) VALUES (true, $1, $2)
     ON CONFLICT (id) DO UPDATE SET transform_fingerprint = EXCLUDED.transform_fingerprint, run_id = EXCLUDED.run_id,
       updated_at = now()`,
    [fingerprint, runId],
  );
}
