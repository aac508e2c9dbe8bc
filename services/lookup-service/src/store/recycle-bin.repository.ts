/**
 * The recycle bin as the portal reads it (schema `directory`, owned by apply-worker; migration 009), and the
 * one write lookup-service makes for it: an admin's restore. The list reads user_blocked_at_idx in
 * (blocked_at, id) order, the soonest due first, and pages by that key, so a bin of 100,000 users costs the
 * same per page as a bin of ten.
 */
import type pg from 'pg';
import { withTransaction } from '@usersync/platform';

/** One user in the bin. */
export interface RecycleBinRow {
  id: number;
  username: string;
  nameFirst: string;
  nameLast: string;
  email: string;
  blockedAt: Date;
  /** blocked_at to the microsecond, for the next page's cursor (a JavaScript Date keeps milliseconds). */
  blockedKey: string;
  blockedByRunId: number | null;
  memberships: number;
}

/** The position after which a page starts: blocked_at to the microsecond (ISO text, UTC) and the id. */
export interface RecycleBinCursor {
  blockedAt: string;
  id: number;
}

/**
 * The advisory lock key of apply-worker's applies (its usecases/apply-run.ts APPLY_LOCK_KEY): a restore waits
 * for a running apply or recycle pass, so it never interleaves with one.
 */
export const APPLY_LOCK_KEY = '7585087275116500337';

// Users a sync blocked and nobody restored, reactivated or recycled since (the timer's own condition).
const IN_BIN = `u.blocked_at IS NOT NULL AND NOT u.active AND NOT u.in_feed`;

export function recycleBinRepository(db: pg.Pool) {
  return {
    /** A page of the bin matching a username prefix ('' for all), and how many match in all. */
    async page(
      prefix: string,
      after: RecycleBinCursor | null,
      limit: number,
    ): Promise<{ rows: RecycleBinRow[]; total: number }> {
      const like = prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
      const { rows } = await db.query<{
        id: string;
        username: string;
        name_first: string;
        name_last: string;
        email: string;
        blocked_at: Date;
        blocked_key: string;
        last_run_id: string | null;
        memberships: number;
      }>(
        `SELECT u.id, u.username, u.name_first, u.name_last, u.email, u.blocked_at, u.last_run_id,
           to_char(u.blocked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS blocked_key,
           (SELECT count(*) FROM directory.membership m WHERE m.user_id = u.id)::int AS memberships
         FROM directory."user" u
         WHERE ${IN_BIN} AND u.username LIKE $1
           AND ($2::timestamptz IS NULL OR (u.blocked_at, u.id) > ($2::timestamptz, $3::bigint))
         ORDER BY u.blocked_at, u.id LIMIT $4`,
        [like, after?.blockedAt ?? null, after?.id ?? 0, limit],
      );
      const count = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM directory."user" u WHERE ${IN_BIN} AND u.username LIKE $1`,
        [like],
      );
      return {
        total: Number(count.rows[0]?.n ?? 0),
        rows: rows.map((r) => ({
          id: Number(r.id),
          username: r.username,
          nameFirst: r.name_first,
          nameLast: r.name_last,
          email: r.email,
          blockedAt: r.blocked_at,
          blockedKey: r.blocked_key,
          blockedByRunId: r.last_run_id === null ? null : Number(r.last_run_id),
          memberships: r.memberships,
        })),
      };
    },

    /**
     * Restores a user from the bin, under the apply lock: active again, out of the bin, memberships as kept,
     * still out of the feed (no run blocks them again until a feed names them; then a run updates them), with
     * a history row (no run) naming who did it. False when the user is not in the bin (never blocked by a
     * sync, already back, or recycled).
     */
    async restore(username: string, by: string): Promise<boolean> {
      return withTransaction(db, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [APPLY_LOCK_KEY]);
        const { rows } = await client.query<{ id: string }>(
          `UPDATE directory."user" u SET active = true, blocked_at = NULL, updated_at = now()
           WHERE u.username = $1 AND ${IN_BIN} RETURNING u.id`,
          [username],
        );
        if (!rows[0]) return false;
        await client.query(
          `INSERT INTO directory.history (run_id, user_id, action, changes, reason)
           VALUES (NULL, $1, 'restore', '[{"field":"active","before":false,"after":true}]'::json, $2)`,
          [rows[0].id, `restored from the recycle bin by ${by}`],
        );
        return true;
      });
    },
  };
}
