/** runs.run_file: the files of a run by logical name; bytes live in S3 under the digest. */
import type { Queryable, StoredActor } from '@usersync/run-state';

/** One stored file of a run (Haplo's filesJSON entry). */
export interface RunFileRow {
  runId: number;
  name: string;
  digest: string;
  size: number;
  filename: string;
  replaceable: boolean;
  uploadedAt: Date;
  uploadedBy: StoredActor | null;
}

function mapFile(r: Record<string, unknown>): RunFileRow {
  return {
    runId: Number(r.run_id),
    name: r.name as string,
    digest: r.digest as string,
    size: Number(r.size),
    filename: r.filename as string,
    replaceable: Boolean(r.replaceable),
    uploadedAt: r.uploaded_at as Date,
    uploadedBy: (r.uploaded_by as StoredActor) ?? null,
  };
}

/** The files of a run, ordered by name. */
export async function listRunFiles(db: Queryable, runId: number): Promise<RunFileRow[]> {
  const { rows } = await db.query('SELECT * FROM runs.run_file WHERE run_id = $1 ORDER BY name', [runId]);
  return rows.map(mapFile);
}

/** The files of several runs at once (run lists), grouped by run id. */
export async function listFilesOfRuns(db: Queryable, runIds: readonly number[]): Promise<Map<number, RunFileRow[]>> {
  const byRun = new Map<number, RunFileRow[]>(runIds.map((id) => [id, []]));
  if (runIds.length === 0) return byRun;
  const { rows } = await db.query('SELECT * FROM runs.run_file WHERE run_id = ANY($1::bigint[]) ORDER BY name', [
    [...runIds],
  ]);
  for (const row of rows.map(mapFile)) byRun.get(row.runId)?.push(row);
  return byRun;
}

/** One file of a run, or undefined. */
export async function findRunFile(db: Queryable, runId: number, name: string): Promise<RunFileRow | undefined> {
  const { rows } = await db.query('SELECT * FROM runs.run_file WHERE run_id = $1 AND name = $2', [runId, name]);
  return rows[0] ? mapFile(rows[0]) : undefined;
}

/** Records a file in a run, replacing an entry of the same name (callers check it was replaceable). */
export async function putRunFile(db: Queryable, file: Omit<RunFileRow, 'uploadedAt'>): Promise<RunFileRow> {
  const { rows } = await db.query(
    `INSERT INTO runs.run_file (run_id, name, digest, size, filename, replaceable, uploaded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (run_id, name) DO UPDATE SET digest = EXCLUDED.digest, size = EXCLUDED.size,
       filename = EXCLUDED.filename, replaceable = EXCLUDED.replaceable, uploaded_at = now(),
       uploaded_by = EXCLUDED.uploaded_by
     RETURNING *`,
    [
      file.runId,
      file.name,
      file.digest,
      file.size,
      file.filename,
      file.replaceable,
      file.uploadedBy ? JSON.stringify(file.uploadedBy) : null,
    ],
  );
  return mapFile(rows[0]);
}

/**
 * The file `name` a OneRoster delta is merged onto: that of the newest file run that was applied, is held
 * for an admin, or was superseded by a newer upload while held (usecases/check-bundle.ts); undefined when
 * none has it. A run an admin cancelled is never a base.
 */
export async function findDeltaBase(
  db: Queryable,
  name: string,
): Promise<{ runId: number; digest: string } | undefined> {
  const { rows } = await db.query<{ run_id: string; digest: string }>(
    `SELECT f.run_id, f.digest FROM runs.run_file f JOIN runs.run r ON r.id = f.run_id
     WHERE f.name = $1 AND r.source = 'file'
       AND (r.status IN ('complete', 'held') OR (r.status = 'cancelled' AND EXISTS (
         SELECT 1 FROM runs.run_audit a WHERE a.run_id = r.id AND a.action = 'supersede')))
     ORDER BY r.id DESC LIMIT 1`,
    [name],
  );
  return rows[0] ? { runId: Number(rows[0].run_id), digest: rows[0].digest } : undefined;
}
