/** Pages of runs.run_plan in both directions (the portal's plan preview), filtered by action and username prefix. */
import type { PlanAction, Queryable, RunPlanRow } from '@usersync/run-state';

export interface PlanPageQuery {
  action?: PlanAction;
  /** Only usernames starting with this, case-insensitive (usernames are stored lowercased). */
  usernamePrefix?: string;
  /** Entries after this username (next) or before it (prev); none: from the start. */
  cursor?: { key: string; direction: 'next' | 'prev' };
  limit: number;
}

/** `text` with LIKE's wildcards and escape character escaped, so it matches only itself. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

/** A page of entries in username order, and whether entries exist before and after it (same filters). */
export async function readPlanPage(
  db: Queryable,
  runId: number,
  q: PlanPageQuery,
): Promise<{ entries: RunPlanRow[]; hasBefore: boolean; hasAfter: boolean }> {
  const where = ['run_id = $1'];
  const values: unknown[] = [runId];
  if (q.action !== undefined) {
    values.push(q.action);
    where.push(`action = $${values.length}`);
  }
  if (q.usernamePrefix) {
    // The range lets the (run_id, username) index find the prefix (LIKE alone is not indexable outside the C
    // collation); LIKE keeps the match exact.
    const prefix = q.usernamePrefix.toLowerCase();
    values.push(prefix);
    const p = values.length;
    values.push(escapeLike(prefix));
    where.push(
      `username >= $${p} AND username < ($${p} || chr(1114111)) AND username LIKE ($${values.length}::text || '%') ESCAPE '\\'`,
    );
  }
  const backwards = q.cursor?.direction === 'prev';
  const page = [...where];
  const pageValues = [...values];
  if (q.cursor) {
    pageValues.push(q.cursor.key);
    page.push(`username ${backwards ? '<' : '>'} $${pageValues.length}`);
  }
  pageValues.push(q.limit);
  const { rows } = await db.query<RunPlanRow>(
    `SELECT username, action, changes, display_name AS "displayName", email, last_seen_run AS "lastSeenRun"
     FROM runs.run_plan WHERE ${page.join(' AND ')}
     ORDER BY username ${backwards ? 'DESC' : 'ASC'} LIMIT $${pageValues.length}`,
    pageValues,
  );
  const entries = backwards ? rows.reverse() : rows;
  if (entries.length === 0) return { entries, hasBefore: false, hasAfter: false };
  const n = values.length;
  const { rows: around } = await db.query<{ before: boolean; after: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM runs.run_plan WHERE ${where.join(' AND ')} AND username < $${n + 1}) AS before,
            EXISTS (SELECT 1 FROM runs.run_plan WHERE ${where.join(' AND ')} AND username > $${n + 2}) AS after`,
    [...values, entries[0]!.username, entries[entries.length - 1]!.username],
  );
  return { entries, hasBefore: around[0]!.before, hasAfter: around[0]!.after };
}
