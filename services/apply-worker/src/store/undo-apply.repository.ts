/**
 * The undo applier (issue 18): set-based writes of temp table `undo_plan` (undo-plan.repository.ts) into the
 * directory, inside the undo run's one transaction. A user with `prior` (the undone run's own history row,
 * migration 006, and no later run changed them) comes back exactly: fields, tags and profile as stored,
 * bookkeeping (managed, error, desired digest, last run, updated at) and the sync-made memberships with their
 * creation times. Any other user (included though changed later, or history from before migration 006) gets
 * the history's `before` values, desired_digest NULL (the next run re-applies them) and this run as last run.
 */
import type pg from 'pg';

// `prior` keys are JSON null when not kept (a block keeps no tags; unchanged groups keep no memberships).
const kept = (key: string, type: 'object' | 'array') => `json_typeof(p.prior -> '${key}') = '${type}'`;
// Tags and profile: as stored before when kept; untouched when the target equals them (their text stays).
const restored = (column: string, key: string) => `CASE WHEN ${kept(key, 'object')} THEN p.prior -> '${key}'
  WHEN (p.target -> '${key}') = u.${column}::jsonb THEN u.${column} ELSE (p.target -> '${key}')::json END`;

/** Applies the undo plan; `runId` (the undo run) is stamped on the history rows it writes. */
export async function applyUndoPlan(
  client: pg.ClientBase,
  runId: number,
  checkpoint: () => Promise<void>,
): Promise<void> {
  // History first, while the rows to delete still exist: the undo's own record of what it did.
  await client.query(
    `INSERT INTO directory.history (run_id, user_id, action, changes)
     SELECT $1, user_id, action, changes FROM undo_plan`,
    [runId],
  );
  await client.query(
    `DELETE FROM directory.membership m USING undo_plan p WHERE p.action = 'delete' AND m.user_id = p.user_id`,
  );
  await client.query(
    `DELETE FROM directory.last_record l USING undo_plan p WHERE p.action = 'delete' AND l.user_id = p.user_id`,
  );
  await client.query(`DELETE FROM directory."user" u USING undo_plan p WHERE p.action = 'delete' AND u.id = p.user_id`);
  await checkpoint();

  await client.query(
    `UPDATE directory."user" u SET title = p.target ->> 'title', name_first = p.target ->> 'nameFirst',
       name_last = p.target ->> 'nameLast', email = p.target ->> 'email',
       active = (p.target ->> 'active')::boolean, in_feed = (p.target ->> 'inFeed')::boolean,
       tags = ${restored('tags', 'tags')}, profile = ${restored('profile', 'profile')},
       managed = coalesce((p.prior ->> 'managed')::boolean, u.managed),
       error = coalesce((p.prior ->> 'error')::boolean, u.error),
       desired_digest = CASE WHEN p.prior IS NULL THEN NULL ELSE p.prior ->> 'desiredDigest' END,
       last_run_id = CASE WHEN p.prior IS NULL THEN $1 ELSE (p.prior ->> 'lastRunId')::bigint END,
       updated_at = coalesce((p.prior ->> 'updatedAt')::timestamptz, now()),
       blocked_at = CASE WHEN p.prior::jsonb ? 'blockedAt' THEN (p.prior ->> 'blockedAt')::timestamptz
                         WHEN (p.target ->> 'active')::boolean THEN NULL ELSE u.blocked_at END
     FROM undo_plan p WHERE p.action <> 'delete' AND u.id = p.user_id`,
    [runId],
  );
  await checkpoint();

  // Sync-made memberships of users whose groups change: exactly the prior rows when kept, else the before list.
  await client.query(
    `DELETE FROM directory.membership m USING undo_plan p
     WHERE p.action <> 'delete' AND m.user_id = p.user_id AND m.source = 'sync'
       AND (${kept('memberships', 'array')} OR NOT (p.target -> 'groups') ? m.group_code)`,
  );
  await client.query(
    `INSERT INTO directory.membership (user_id, group_code, source, created_at)
     SELECT p.user_id, x ->> 'code', 'sync', (x ->> 'at')::timestamptz
     FROM undo_plan p CROSS JOIN LATERAL json_array_elements(p.prior -> 'memberships') AS x
     WHERE p.action <> 'delete' AND ${kept('memberships', 'array')}`,
  );
  await client.query(
    `INSERT INTO directory.membership (user_id, group_code, source)
     SELECT p.user_id, g.code, 'sync'
     FROM undo_plan p CROSS JOIN LATERAL jsonb_array_elements_text(p.target -> 'groups') AS g(code)
     WHERE p.action <> 'delete' AND NOT coalesce(${kept('memberships', 'array')}, false)
     ON CONFLICT DO NOTHING`,
  );
  // The digests the skip-unchanged path trusts no longer describe every in-feed user: the next run transforms
  // every record once, so re-uploading the undone file re-plans its changes instead of counting them unchanged.
  await client.query('DELETE FROM directory.sync_state');
  await checkpoint();
}
