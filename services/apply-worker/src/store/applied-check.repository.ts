/**
 * "Reported 35, applied 0" must be impossible (issue 18): after the applier wrote a plan, count per action the
 * planned users that now carry this run as their last run (every write of the applier stamps it). The caller
 * compares with the plan's counts before completing; a difference fails the run, which rolls everything back.
 */
import type pg from 'pg';

export async function appliedByAction(client: pg.ClientBase, runId: number): Promise<Record<string, number>> {
  const { rows } = await client.query<{ action: string; n: number }>(
    `SELECT p.action, count(*)::int AS n FROM plan p JOIN directory."user" u ON u.id = p.user_id
     WHERE p.action <> 'unchanged' AND u.last_run_id = $1 GROUP BY p.action`,
    [runId],
  );
  return Object.fromEntries(rows.map((r) => [r.action, r.n]));
}
