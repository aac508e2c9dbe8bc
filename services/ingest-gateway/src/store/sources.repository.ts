/** What SourceService reads of the runs schema: a source's latest runs and how many it has had, the last upload. */
import { mapRunRow, type Queryable, type RunRow, type RunSource, type StoredActor } from '@usersync/run-state';

/** The newest `limit` runs of a source (run_source_idx (source, id DESC)) and its run count. */
export async function latestRunsOfSource(
  db: Queryable,
  source: RunSource,
  limit: number,
): Promise<{ runs: RunRow[]; count: number }> {
  const [runs, count] = await Promise.all([
    db.query('SELECT * FROM runs.run WHERE source = $1 ORDER BY id DESC LIMIT $2', [source, limit]),
    db.query<{ n: string }>('SELECT count(*) AS n FROM runs.run WHERE source = $1', [source]),
  ]);
  return { runs: runs.rows.map(mapRunRow), count: Number(count.rows[0]!.n) };
}

/**
 * The last real upload into a run of the file source: a file uploaded by a script or an admin, not the
 * `_control` a new run inherits (replaceable) nor the files a re-apply copies.
 */
export async function lastFileUpload(db: Queryable): Promise<{ at: Date; by: StoredActor | null } | undefined> {
  const { rows } = await db.query<{ uploaded_at: Date; uploaded_by: StoredActor | null }>(
    `SELECT f.uploaded_at, f.uploaded_by FROM runs.run_file f
     WHERE f.run_id = (SELECT max(x.run_id) FROM runs.run_file x JOIN runs.run r ON r.id = x.run_id
                       WHERE NOT x.replaceable AND r.reapplied_from IS NULL AND r.source = 'file')
       AND NOT f.replaceable
     ORDER BY f.uploaded_at DESC LIMIT 1`,
  );
  return rows[0] ? { at: rows[0].uploaded_at, by: rows[0].uploaded_by } : undefined;
}
