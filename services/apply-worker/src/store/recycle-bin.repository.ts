/**
 * The recycle timer's SQL (issue 18 item 2; migration 009), set-based, in the caller's transaction under the
 * apply lock. A user a run blocked for being absent from the feed carries `blocked_at`; once that is older
 * than the grace period the configured step happens to a batch of them, oldest first:
 *   - anonymise: names, title, email, tags, profile cleared, username replaced by the tombstone
 *     `anonymised-<id>` (the old username is free again: a person returning with it is a new account),
 *     every membership and the last raw record removed, the user's history kept as the record of what
 *     happened but with its values scrubbed (change lists emptied, prior state dropped), and one history row
 *     (no run) saying why; the row stays unmanaged, inactive and out of the feed, so no run touches it again;
 *   - delete: the user, memberships, last record and history rows removed (nothing personal is kept in the
 *     directory; the audit entry keeps the count and the directory ids).
 * `keep` does nothing: the users stay blocked, whole, in the bin.
 */
import type pg from 'pg';

/** One user the step acted on (for events; the username is the one before the step). */
export interface RecycledUser {
  userId: number;
  username: string;
}

/** Fills temp table `recycle_due` with at most `limit` users blocked by a sync at or before `cutoff`. */
export async function selectDue(client: pg.ClientBase, cutoff: Date, limit: number): Promise<RecycledUser[]> {
  await client.query('DROP TABLE IF EXISTS recycle_due');
  await client.query(
    `CREATE TEMP TABLE recycle_due ON COMMIT DROP AS
     SELECT id AS user_id, username, blocked_at FROM directory."user"
     WHERE blocked_at IS NOT NULL AND blocked_at <= $1 AND NOT active AND NOT in_feed
     ORDER BY blocked_at, id LIMIT $2`,
    [cutoff, limit],
  );
  const { rows } = await client.query<{ user_id: string; username: string }>(
    'SELECT user_id, username FROM recycle_due ORDER BY user_id',
  );
  return rows.map((r) => ({ userId: Number(r.user_id), username: r.username }));
}

/** Anonymises every user in `recycle_due` (see the file comment); `reason` goes in the history row. */
export async function anonymiseDue(client: pg.ClientBase, now: Date, reason: string): Promise<void> {
  await client.query(
    `UPDATE directory.history h SET changes = '[]'::json, prior = NULL FROM recycle_due d WHERE h.user_id = d.user_id`,
  );
  await client.query(
    `INSERT INTO directory.history (run_id, user_id, action, changes, reason, at)
     SELECT NULL, d.user_id, 'anonymise', '[]'::json, $2, $1 FROM recycle_due d`,
    [now, reason],
  );
  await client.query(`DELETE FROM directory.membership m USING recycle_due d WHERE m.user_id = d.user_id`);
  await client.query(`DELETE FROM directory.last_record l USING recycle_due d WHERE l.user_id = d.user_id`);
  await client.query(
    `UPDATE directory."user" u SET username = 'anonymised-' || u.id, title = NULL, name_first = '', name_last = '',
       email = '', tags = '{}'::json, profile = '{}'::json, desired_digest = NULL, managed = false, error = false,
       blocked_at = NULL, anonymised_at = $1, updated_at = $1
     FROM recycle_due d WHERE u.id = d.user_id`,
    [now],
  );
}

/** Deletes every user in `recycle_due` with their memberships, last record and history. */
export async function deleteDue(client: pg.ClientBase): Promise<void> {
  await client.query(`DELETE FROM directory.membership m USING recycle_due d WHERE m.user_id = d.user_id`);
  await client.query(`DELETE FROM directory.last_record l USING recycle_due d WHERE l.user_id = d.user_id`);
  await client.query(`DELETE FROM directory.history h USING recycle_due d WHERE h.user_id = d.user_id`);
  await client.query(`DELETE FROM directory."user" u USING recycle_due d WHERE u.id = d.user_id`);
}
