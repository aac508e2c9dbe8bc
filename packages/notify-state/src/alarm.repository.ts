/**
 * notify.alarm (notify-worker migration 004): silence and mismatch alarms, raised by notify-worker's alarm
 * pass, listed on the portal's dashboard while active. Raising is idempotent by key, so every pass may ask
 * again; clearing ends every active alarm of a kind whose condition is over.
 */
import type pg from 'pg';

export type AlarmKind = 'no_upload' | 'no_success' | 'count_mismatch';

export interface AlarmRow {
  id: number;
  key: string;
  kind: AlarmKind;
  runId: number | null;
  detail: string;
  raisedAt: Date;
}

/** Records the alarm unless its key is known; returns the row and whether this call raised it. */
export async function raiseAlarm(
  db: Pick<pg.Pool, 'query'>,
  a: { key: string; kind: AlarmKind; runId: number | null; detail: string; at: Date },
): Promise<{ alarm: AlarmRow; raised: boolean }> {
  const inserted = await db.query(
    `INSERT INTO notify.alarm (key, kind, run_id, detail, raised_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (key) DO NOTHING RETURNING *`,
    [a.key, a.kind, a.runId, a.detail, a.at],
  );
  if (inserted.rows[0]) return { alarm: mapAlarm(inserted.rows[0]), raised: true };
  const { rows } = await db.query('SELECT * FROM notify.alarm WHERE key = $1', [a.key]);
  return { alarm: mapAlarm(rows[0]), raised: false };
}

/** Clears the active alarms of `kind` except those in `keep` (still true). */
export async function clearAlarms(
  db: Pick<pg.Pool, 'query'>,
  kind: AlarmKind,
  at: Date,
  keep: readonly string[] = [],
): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE notify.alarm SET cleared_at = $3 WHERE kind = $1 AND cleared_at IS NULL AND NOT key = ANY($2::text[])`,
    [kind, [...keep], at],
  );
  return rowCount ?? 0;
}

/** The active alarms, newest first (the dashboard); none before notify-worker created its table. */
export async function listActiveAlarms(db: Pick<pg.Pool, 'query'>, limit = 20): Promise<AlarmRow[]> {
  try {
    const { rows } = await db.query(
      'SELECT * FROM notify.alarm WHERE cleared_at IS NULL ORDER BY raised_at DESC, id DESC LIMIT $1',
      [limit],
    );
    return rows.map(mapAlarm);
  } catch (err) {
    // 42P01: notify.alarm does not exist yet (notify-worker never started against this database).
    if ((err as { code?: string }).code === '42P01') return [];
    throw err;
  }
}

function mapAlarm(r: Record<string, unknown>): AlarmRow {
  return {
    id: Number(r.id),
    key: r.key as string,
    kind: r.kind as AlarmKind,
    runId: r.run_id === null ? null : Number(r.run_id),
    detail: r.detail as string,
    raisedAt: r.raised_at as Date,
  };
}
