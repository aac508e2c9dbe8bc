/**
 * The runs list of the upload API (`GET …/runs`, issue 16): newest first, filtered by status, paged by
 * id. Served by the primary key, or by run_status_idx (status, id DESC) when filtered.
 */
import { mapRunRow, type Queryable, type RunRow, type RunStatus } from '@usersync/run-state';

export interface RunListQuery {
  /** Only runs in one of these statuses; all runs when empty. */
  statuses: readonly RunStatus[];
  /** Only runs with a smaller id (the `next` cursor). */
  before?: number;
  limit: number;
}

export interface RunListPage {
  runs: RunRow[];
  /** More runs match beyond this page. */
  more: boolean;
}

/** One page of runs, newest (highest id) first. */
export async function listRunsPage(db: Queryable, query: RunListQuery): Promise<RunListPage> {
  const where: string[] = [];
  const values: unknown[] = [];
  if (query.statuses.length > 0) {
    values.push([...query.statuses]);
    where.push(`status = ANY($${values.length}::text[])`);
  }
  if (query.before !== undefined) {
    values.push(query.before);
    where.push(`id < $${values.length}`);
  }
  values.push(query.limit + 1);
  const { rows } = await db.query(
    `SELECT * FROM runs.run ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY id DESC LIMIT $${values.length}`,
    values,
  );
  const runs = rows.slice(0, query.limit).map(mapRunRow);
  return { runs, more: rows.length > query.limit };
}
