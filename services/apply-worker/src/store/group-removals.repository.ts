/**
 * Planned removals of sync-made memberships per group (the guards over time, domain/time-guards.ts), from the
 * temp table `plan` before anything is applied: a removal is a group in an update's or reactivation's `groups`
 * before and not after. Blocks keep their memberships, so they remove none. Each group's sync-made members now
 * (before the run) are the percentage's base. Counted only when a group guard is configured.
 */
import type pg from 'pg';

export async function plannedGroupRemovals(
  client: pg.ClientBase,
): Promise<Array<{ code: string; removals: number; members: number }>> {
  const { rows } = await client.query<{ code: string; removals: number; members: number }>(
    `SELECT r.code, r.removals,
       (SELECT count(*)::int FROM directory.membership m WHERE m.group_code = r.code AND m.source = 'sync') AS members
     FROM (SELECT g.code, count(*)::int AS removals
           FROM plan p CROSS JOIN LATERAL json_array_elements(p.changes) AS c
             CROSS JOIN LATERAL jsonb_array_elements_text((c -> 'before')::jsonb) AS g(code)
           WHERE p.action IN ('update', 'reactivate') AND c ->> 'field' = 'groups'
             AND NOT (c -> 'after')::jsonb ? g.code
           GROUP BY g.code) AS r
     ORDER BY r.removals DESC, r.code`,
  );
  return rows;
}
