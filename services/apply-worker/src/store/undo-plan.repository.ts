/**
 * The plan of an undo run (issue 18), set-based from the directory's history of the undone run: temp table
 * `undo_plan` holds, per user that run changed, the state to restore (`target`, in field_changes' shape),
 * the undo's action and field-level changes from the user's state now, and the run's `prior` bookkeeping
 * (migration 006). Users a later run changed again are left out (listed as skipped) unless included.
 *
 * What undoing each action means:
 *   - create  → delete: the user row, its memberships (any source: the account did not exist before) and its
 *               last record go; its history rows stay, as the record of what happened;
 *   - update, reactivate, block → the fields, tags, profile, active and in-feed state and the sync-made
 *               memberships are set back to the history's `before`; the action shown is what that does now
 *               (restoring active=false is a block, active=true a reactivate, anything else an update).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import {
  describePlannedBlocks,
  replaceRunPlanFrom,
  UNDO_SKIPPED_LISTED,
  type ActionCountsRow,
  type UndoSkipped,
} from '@usersync/run-state';

// A user's state now, in field_changes' shape (groups: the memberships the sync made).
const CURRENT = `jsonb_build_object('title', u.title, 'nameFirst', u.name_first, 'nameLast', u.name_last,
  'email', u.email, 'groups', coalesce((SELECT jsonb_agg(m.group_code ORDER BY m.group_code) FROM directory.membership m
     WHERE m.user_id = u.id AND m.source = 'sync'), '[]'::jsonb),
  'tags', u.tags::jsonb, 'profile', u.profile::jsonb, 'active', u.active, 'inFeed', u.in_feed)`;

// The state now with the undone run's `before` values laid over it: top-level fields replace, and tags and
// profile are restored key by key (a key whose before is null did not exist, so it is removed).
const keyed = (
  p: string,
) => `(((c.cur -> '${p}') - ARRAY(SELECT substr(k, ${p.length + 2}) FROM jsonb_each(c.b) AS e(k, v)
    WHERE k LIKE '${p}.%' AND v = 'null'::jsonb))
  || coalesce((SELECT jsonb_object_agg(substr(k, ${p.length + 2}), v) FROM jsonb_each(c.b) AS e(k, v)
    WHERE k LIKE '${p}.%' AND v <> 'null'::jsonb), '{}'::jsonb))`;
const TARGET = `(c.cur || coalesce((SELECT jsonb_object_agg(k, v) FROM jsonb_each(c.b) AS e(k, v)
    WHERE k IN ('title', 'nameFirst', 'nameLast', 'email', 'groups', 'active', 'inFeed')), '{}'::jsonb)
  || jsonb_build_object('tags', ${keyed('tags')}, 'profile', ${keyed('profile')}))`;

/** Builds `undo_plan` for undoing `undoneRunId`; returns who it leaves alone. */
export async function buildUndoPlan(
  client: pg.ClientBase,
  undoneRunId: number,
  include: readonly string[],
): Promise<UndoSkipped> {
  await client.query(
    `CREATE TEMP TABLE undo_plan (username text NOT NULL, user_id bigint NOT NULL, undone text NOT NULL,
       action text NOT NULL, later_run bigint, changes json, target jsonb, prior json) ON COMMIT DROP`,
  );
  await client.query(
    `INSERT INTO undo_plan (username, user_id, undone, action, later_run, changes, target, prior)
     SELECT c.username, c.user_id, c.undone,
       CASE WHEN c.undone = 'create' THEN 'delete'
            WHEN NOT c.later_run IS NULL AND NOT c.username = ANY($2::text[]) THEN 'skip'
            WHEN (t.target ->> 'active')::boolean AND NOT (c.cur ->> 'active')::boolean THEN 'reactivate'
            WHEN NOT (t.target ->> 'active')::boolean AND (c.cur ->> 'active')::boolean THEN 'block'
            ELSE 'update' END,
       c.later_run,
       CASE WHEN c.undone = 'create' THEN directory.field_changes(c.cur, '{}'::jsonb)
            ELSE directory.field_changes(c.cur, t.target) END::json,
       t.target, CASE WHEN c.later_run IS NULL THEN c.prior END
     FROM (SELECT u.username, u.id AS user_id, h.action AS undone, h.prior, ${CURRENT} AS cur,
             coalesce((SELECT jsonb_object_agg(x ->> 'field', x -> 'before') FROM json_array_elements(h.changes) AS x),
                      '{}'::jsonb) AS b,
             (SELECT max(l.run_id) FROM directory.history l WHERE l.user_id = h.user_id AND l.run_id > h.run_id) AS later_run
           FROM directory.history h JOIN directory."user" u ON u.id = h.user_id
           WHERE h.run_id = $1 AND h.action <> 'delete') AS c
       CROSS JOIN LATERAL (SELECT ${TARGET} AS target) AS t`,
    [undoneRunId, [...include]],
  );
  // A create changed again later is left alone too, unless included: deleting it would lose the later change.
  await client.query(
    `UPDATE undo_plan SET action = 'skip' WHERE undone = 'create' AND later_run IS NOT NULL AND NOT username = ANY($1::text[])`,
    [[...include]],
  );
  // Nothing to restore (an included user already back where they were): not a change.
  await client.query(`DELETE FROM undo_plan WHERE action <> 'skip' AND json_array_length(changes) = 0`);
  const { rows } = await client.query<{ n: number; users: UndoSkipped['users'] | null }>(
    `SELECT count(*)::int AS n,
       (SELECT json_agg(json_build_object('username', s.username, 'laterRunId', s.later_run) ORDER BY s.username)
        FROM (SELECT username, later_run FROM undo_plan WHERE action = 'skip' ORDER BY username LIMIT $1) AS s) AS users
     FROM undo_plan WHERE action = 'skip'`,
    [UNDO_SKIPPED_LISTED],
  );
  await client.query(`DELETE FROM undo_plan WHERE action = 'skip'`);
  await client.query('ANALYZE undo_plan');
  return { count: rows[0]!.n, users: (rows[0]!.users ?? []).map((u) => ({ ...u, laterRunId: Number(u.laterRunId) })) };
}

/** The undo plan's counts (deletes as `deleted`) and digest: equal digests mean the same changes to the same users. */
export async function summarizeUndoPlan(
  client: pg.ClientBase,
): Promise<{ counts: ActionCountsRow & { deleted: number }; digest: string }> {
  const { rows } = await client.query<{ action: string; n: number }>(
    'SELECT action, count(*)::int AS n FROM undo_plan GROUP BY action',
  );
  const by = Object.fromEntries(rows.map((r) => [r.action, r.n])) as Record<string, number>;
  const { rows: d } = await client.query<{ d: string }>(
    `SELECT coalesce(string_agg(md5(username || ' ' || action || ' ' || changes::text), ',' ORDER BY username), '') AS d
     FROM undo_plan`,
  );
  return {
    counts: {
      created: 0,
      updated: by.update ?? 0,
      reactivated: by.reactivate ?? 0,
      blocked: by.block ?? 0,
      unchanged: 0,
      deleted: by.delete ?? 0,
    },
    digest: createHash('sha256').update(`undo ${d[0]!.d}`).digest('hex'),
  };
}

/** Stores the undo plan in runs.run_plan, with who each block takes away (as the portal's review lists). */
export async function storeUndoPlan(client: pg.ClientBase, runId: number): Promise<void> {
  await replaceRunPlanFrom(client, runId, 'SELECT username, action, changes::jsonb AS changes FROM undo_plan');
  await describePlannedBlocks(
    client,
    runId,
    `SELECT p.username, nullif(trim(u.name_first || ' ' || u.name_last), '') AS display_name,
            nullif(u.email, '') AS email, l.run_id AS last_seen_run
     FROM undo_plan p JOIN directory."user" u ON u.id = p.user_id LEFT JOIN directory.last_record l ON l.user_id = u.id
     WHERE p.action = 'block'`,
  );
}

/**
 * Keeps back the rows a partial approval leaves out: excluded users, and actions outside the scope. A `delete`
 * is applied only by a scope of every action (it is the one change that cannot be seen after it is made).
 */
export async function keepBackUndoOutsideScope(
  client: pg.ClientBase,
  scope: { actions: readonly string[]; excludedUsernames: readonly string[] },
  everyAction: boolean,
): Promise<number> {
  const { rowCount } = await client.query(
    `DELETE FROM undo_plan WHERE username = ANY($2::text[])
       OR (action = 'delete' AND NOT $3::boolean) OR (action <> 'delete' AND action <> ALL($1::text[]))`,
    [[...scope.actions], [...scope.excludedUsernames], everyAction],
  );
  return rowCount ?? 0;
}

/** Managed users in the feed now (the block threshold's base). */
export async function countInFeed(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM directory."user" WHERE managed AND in_feed',
  );
  return rows[0]!.n;
}
