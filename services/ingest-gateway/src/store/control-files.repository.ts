/** runs.control_file: every control file that became current (API and portal uploads). */
import type { Queryable, RunSource, StoredActor } from '@usersync/run-state';

/** One control file version; the newest row is the current control file. */
export interface ControlFileRow {
  id: number;
  digest: string;
  size: number;
  filename: string;
  expectedFiles: string[];
  hasUsernameRule: boolean;
  createdAt: Date;
  uploadedBy: StoredActor | null;
  reason: string;
  via: 'api' | 'portal';
  /** The source whose runs it maps (migration 015). */
  source: RunSource;
}

function mapControlFile(r: Record<string, unknown>): ControlFileRow {
  return {
    id: Number(r.id),
    digest: r.digest as string,
    size: Number(r.size),
    filename: (r.filename as string) ?? '',
    expectedFiles: r.expected_files as string[],
    hasUsernameRule: Boolean(r.has_username_rule),
    createdAt: r.created_at as Date,
    uploadedBy: (r.uploaded_by as StoredActor) ?? null,
    reason: r.reason as string,
    via: r.via as 'api' | 'portal',
    source: (r.source as RunSource | undefined) ?? 'file',
  };
}

/** The source's current control file (its newest version), or undefined before its first upload. */
export async function findCurrentControlFile(
  db: Queryable,
  source: RunSource = 'file',
): Promise<ControlFileRow | undefined> {
  const { rows } = await db.query('SELECT * FROM runs.control_file WHERE source = $1 ORDER BY id DESC LIMIT 1', [
    source,
  ]);
  return rows[0] ? mapControlFile(rows[0]) : undefined;
}

/** The newest version with this digest, or undefined. */
export async function findControlFileByDigest(db: Queryable, digest: string): Promise<ControlFileRow | undefined> {
  const { rows } = await db.query('SELECT * FROM runs.control_file WHERE digest = $1 ORDER BY id DESC LIMIT 1', [
    digest,
  ]);
  return rows[0] ? mapControlFile(rows[0]) : undefined;
}

/** Records a new version; it becomes the current control file. */
export async function insertControlFile(
  db: Queryable,
  cf: Omit<ControlFileRow, 'id' | 'createdAt' | 'source'> & { source?: RunSource },
): Promise<ControlFileRow> {
  const { rows } = await db.query(
    `INSERT INTO runs.control_file (digest, size, filename, expected_files, has_username_rule, uploaded_by, reason, via,
       source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [
      cf.digest,
      cf.size,
      cf.filename,
      cf.expectedFiles,
      cf.hasUsernameRule,
      cf.uploadedBy ? JSON.stringify(cf.uploadedBy) : null,
      cf.reason,
      cf.via,
      cf.source ?? 'file',
    ],
  );
  return mapControlFile(rows[0]);
}

/** The source's versions newest first, strictly older than `beforeId` when given. */
export async function listControlFiles(
  db: Queryable,
  page: { beforeId?: number; limit: number; source?: RunSource },
): Promise<ControlFileRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM runs.control_file WHERE ($1::bigint IS NULL OR id < $1) AND source = $3 ORDER BY id DESC LIMIT $2`,
    [page.beforeId ?? null, page.limit, page.source ?? 'file'],
  );
  return rows.map(mapControlFile);
}
