/**
 * Reused usernames (issue 18 item 2): a user who left the feed (blocked, or restored by an admin) returns in
 * this run's plan, but the configured stable key (sync config recycleStableKey: `profile.<code>` or
 * `tags.<key>`, e.g. an external id) stored on the account differs from the incoming record's. The username
 * was given to another person, who must never get the old person's account. Only keys present on both sides
 * count: a record or account without the key proves nothing. Reads temp tables `plan` and `feed`.
 */
import type pg from 'pg';
import { stableKeyOf, type ApprovalScope } from '@usersync/run-state';

/** One reused username: the key stored on the account and the key that arrived. */
export interface ReusedUsername {
  username: string;
  stored: string;
  incoming: string;
}

/** Most reused usernames named (the count is exact). */
export const REUSED_LISTED = 20;

/**
 * Returning users whose stable key changed, in username order; within `scope` when the run is approved in
 * part (a user kept back by the approval is not applied, so not counted).
 */
export async function findReusedUsernames(
  client: pg.ClientBase,
  stableKey: string,
  scope: ApprovalScope | null,
): Promise<{ count: number; listed: ReusedUsername[] }> {
  const key = stableKeyOf(stableKey);
  if (!key) return { count: 0, listed: [] };
  const column = key.in === 'profile' ? 'profile' : 'tags';
  const { rows } = await client.query<ReusedUsername & { total: number }>(
    `SELECT p.username, s.stored, s.incoming, (count(*) OVER ())::int AS total
     FROM plan p JOIN feed f ON f.rec = p.rec JOIN directory."user" u ON u.id = p.user_id
       CROSS JOIN LATERAL (SELECT nullif(u.${column}::json ->> $1, '') AS stored,
                                  nullif(f.${column}::json ->> $1, '') AS incoming) AS s
     WHERE p.action IN ('reactivate', 'update') AND NOT u.in_feed
       AND s.stored IS NOT NULL AND s.incoming IS NOT NULL AND s.stored <> s.incoming
       AND ($2::text[] IS NULL OR p.action = ANY($2::text[])) AND NOT p.username = ANY($3::text[])
     ORDER BY p.username LIMIT $4`,
    [key.name, scope ? scope.actions : null, scope?.excludedUsernames ?? [], REUSED_LISTED],
  );
  return {
    count: rows[0]?.total ?? 0,
    listed: rows.map((r) => ({ username: r.username, stored: r.stored, incoming: r.incoming })),
  };
}
