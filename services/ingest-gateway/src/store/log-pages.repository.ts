/** Pages of runs.run_log in both directions (the portal's log viewer), filtered by username and level. */
import type { Queryable, RunLogLevel, RunLogRow } from '@usersync/run-state';

export interface LogPageQuery {
  username?: string;
  level?: RunLogLevel;
  /** Lines after this seq (next) or before it (prev); none: from the start. */
  cursor?: { key: number; direction: 'next' | 'prev' };
  limit: number;
}

function filters(runId: number, q: LogPageQuery): { where: string[]; values: unknown[] } {
  const where = ['run_id = $1'];
  const values: unknown[] = [runId];
  if (q.username !== undefined) {
    values.push(q.username.toLowerCase());
    // Matches the partial index run_log_username_idx (run_id, lower(username)) WHERE username IS NOT NULL.
    where.push(`username IS NOT NULL AND lower(username) = $${values.length}`);
  }
  if (q.level !== undefined) {
    values.push(q.level);
    where.push(`level = $${values.length}`);
  }
  return { where, values };
}

/** A page of lines in seq order, and whether lines exist before and after it (same filters). */
export async function readLogPage(
  db: Queryable,
  runId: number,
  q: LogPageQuery,
): Promise<{ lines: RunLogRow[]; hasBefore: boolean; hasAfter: boolean }> {
  const { where, values } = filters(runId, q);
  const backwards = q.cursor?.direction === 'prev';
  const page = [...where];
  const pageValues = [...values];
  if (q.cursor) {
    pageValues.push(q.cursor.key);
    page.push(`seq ${backwards ? '<' : '>'} $${pageValues.length}`);
  }
  pageValues.push(q.limit);
  const { rows } = await db.query<RunLogRow>(
    `SELECT seq, level, username, text, at FROM runs.run_log WHERE ${page.join(' AND ')}
     ORDER BY seq ${backwards ? 'DESC' : 'ASC'} LIMIT $${pageValues.length}`,
    pageValues,
  );
  const lines = backwards ? rows.reverse() : rows;
  if (lines.length === 0) return { lines, hasBefore: false, hasAfter: false };
  const n = values.length;
  const { rows: around } = await db.query<{ before: boolean; after: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM runs.run_log WHERE ${where.join(' AND ')} AND seq < $${n + 1}) AS before,
            EXISTS (SELECT 1 FROM runs.run_log WHERE ${where.join(' AND ')} AND seq > $${n + 2}) AS after`,
    [...values, lines[0]!.seq, lines[lines.length - 1]!.seq],
  );
  return { lines, hasBefore: around[0]!.before, hasAfter: around[0]!.after };
}
