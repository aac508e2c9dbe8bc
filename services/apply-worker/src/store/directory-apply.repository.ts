/**
 * The applier: set-based writes of the planned changes from the temp tables `plan` and `feed` into the
 * directory, inside the run's one transaction. Between statement groups it calls `checkpoint`, which
 * throws when the run was cancelled, so the transaction rolls back with nothing applied.
 */
import type pg from 'pg';
import type { RunSource } from '@usersync/run-state';
import type { ManagedGroup } from '../domain/apply-settings.js';

/**
 * Applies the plan of a run of `source`; `runId` is stamped on every changed user, history row and last
 * record, and a created user belongs to the source.
 */
export async function applyPlan(
  client: pg.ClientBase,
  run: { id: number; source: RunSource },
  managedGroups: readonly ManagedGroup[],
  checkpoint: () => Promise<void>,
): Promise<void> {
  const runId = run.id;
  await upsertManagedGroups(client, run.source, managedGroups);
  await keepPriorState(client);

  await client.query(
    `INSERT INTO directory."user" (id, username, title, name_first, name_last, email, active, in_feed, error, managed,
       tags, profile, desired_digest, last_run_id, source)
     SELECT p.user_id, f.username, f.title, f.name_first, f.name_last, f.email, true, true, f.has_error, true,
       f.tags::json, f.profile::json, f.digest, $1, $2
     FROM plan p JOIN feed f ON f.rec = p.rec
     WHERE p.action = 'create'`,
    [runId, run.source],
  );
  await checkpoint();
  await client.query(
    `UPDATE directory."user" u SET title = f.title, name_first = f.name_first, name_last = f.name_last,
       email = f.email, tags = f.tags::json, profile = f.profile::json, desired_digest = f.digest, active = true,
       in_feed = true, managed = true, error = f.has_error, last_run_id = $1, updated_at = now(), blocked_at = NULL
     FROM plan p JOIN feed f ON f.rec = p.rec
     WHERE p.action IN ('update', 'reactivate') AND u.id = p.user_id`,
    [runId],
  );
  // blocked_at starts the user's grace period in the recycle bin (migration 009, usecases/recycle-timer.ts).
  await client.query(
    `UPDATE directory."user" u SET active = false, in_feed = false, last_run_id = $1, updated_at = now(),
       blocked_at = now()
     FROM plan p WHERE p.action = 'block' AND u.id = p.user_id`,
    [runId],
  );
  // A record that failed for an existing user leaves the user as it was (hazard H2), flagged in error
  // so the next run re-applies it even when its data is unchanged (Haplo §3.3). Another source's user is
  // not this run's to flag.
  await client.query(
    `UPDATE directory."user" u SET error = true, updated_at = now()
     FROM feed f WHERE NOT f.valid AND u.username = f.username AND NOT u.error AND u.source = $1
       AND NOT EXISTS (SELECT 1 FROM plan p WHERE p.username = u.username)`,
    [run.source],
  );
  await checkpoint();

  // Memberships: the sync sets exactly the feed's managed groups, removing only rows it added itself.
  await client.query(
    `DELETE FROM directory.membership m USING plan p JOIN feed f ON f.rec = p.rec
     WHERE p.action IN ('update', 'reactivate') AND m.user_id = p.user_id AND m.source = 'sync'
       AND NOT (f.groups::jsonb ? m.group_code)`,
  );
  // A new user has no memberships yet: no conflict check for a million creates.
  await client.query(
    `INSERT INTO directory.membership (user_id, group_code, source)
     SELECT p.user_id, g.code, 'sync'
     FROM plan p JOIN feed f ON f.rec = p.rec CROSS JOIN LATERAL json_array_elements_text(f.groups::json) AS g(code)
     WHERE p.action = 'create'`,
  );
  await client.query(
    `INSERT INTO directory.membership (user_id, group_code, source)
     SELECT p.user_id, g.code, 'sync'
     FROM plan p JOIN feed f ON f.rec = p.rec CROSS JOIN LATERAL json_array_elements_text(f.groups::json) AS g(code)
     WHERE p.action IN ('update', 'reactivate')
     ON CONFLICT DO NOTHING`,
  );
  await checkpoint();

  // A create's change list stays in the stored plan only (migration 003): its history row points there.
  await client.query(
    `INSERT INTO directory.history (run_id, user_id, action, changes, prior)
     SELECT $1, p.user_id, p.action, CASE WHEN p.action = 'create' THEN NULL ELSE p.changes END, k.prior
     FROM plan p LEFT JOIN plan_prior k ON k.user_id = p.user_id WHERE p.action <> 'unchanged'`,
    [runId],
  );
  // The last raw record of every user the feed named (invalid ones too: lookup shows what arrived),
  // rewritten only when it differs from the stored one. A new user has none yet. Valid records take the
  // user id from the plan; records the baseline found unchanged are not in the feed and keep theirs.
  await client.query(
    `INSERT INTO directory.last_record (user_id, run_id, record, record_digest)
     SELECT p.user_id, $1, f.record::json, f.record_digest FROM plan p JOIN feed f ON f.rec = p.rec
     WHERE p.action = 'create'`,
    [runId],
  );
  await client.query(
    `INSERT INTO directory.last_record (user_id, run_id, record, record_digest)
     SELECT r.user_id, $1, r.record::json, r.record_digest
     FROM (SELECT p.user_id, f.record, f.record_digest FROM feed f JOIN plan p ON p.rec = f.rec
           WHERE p.action <> 'create'
           UNION ALL
           SELECT u.id, f.record, f.record_digest FROM feed f JOIN directory."user" u ON u.username = f.username
           WHERE NOT f.valid AND u.source = $2) AS r
       LEFT JOIN directory.last_record l ON l.user_id = r.user_id
     WHERE l.record_digest IS DISTINCT FROM r.record_digest
     ON CONFLICT (user_id) DO UPDATE SET run_id = EXCLUDED.run_id, record = EXCLUDED.record,
       record_digest = EXCLUDED.record_digest, received_at = now()`,
    [runId, run.source],
  );
  await checkpoint();
}

/**
 * What an undo needs beyond the field-level changes (migration 006): each changed existing user's bookkeeping
 * as it was, for an update or reactivate also the tags and profile JSON as stored and, when the sync-made
 * groups change, those memberships with their creation times. Read before the first write; creates have none.
 */
async function keepPriorState(client: pg.ClientBase): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE plan_prior ON COMMIT DROP AS
     SELECT p.user_id, json_build_object('managed', u.managed, 'error', u.error, 'desiredDigest', u.desired_digest,
       'lastRunId', u.last_run_id, 'updatedAt', u.updated_at, 'blockedAt', u.blocked_at,
       'tags', CASE WHEN p.action <> 'block' THEN u.tags END,
       'profile', CASE WHEN p.action <> 'block' THEN u.profile END,
       'memberships', CASE WHEN p.action <> 'block' AND p.changes::jsonb @> '[{"field": "groups"}]' THEN
         (SELECT coalesce(json_agg(json_build_object('code', m.group_code, 'at', m.created_at) ORDER BY m.group_code), '[]')
          FROM directory.membership m WHERE m.user_id = u.id AND m.source = 'sync') END) AS prior
     FROM plan p JOIN directory."user" u ON u.id = p.user_id
     WHERE p.action IN ('update', 'reactivate', 'block')`,
  );
}

/**
 * The source's managed groups exist and are marked managed (and the source's); the source's groups no
 * longer among them keep their rows (manual memberships may use them) but stop being managed. Another
 * source's groups are left alone. Before any membership is written.
 */
export async function upsertManagedGroups(
  client: pg.ClientBase,
  source: RunSource,
  managedGroups: readonly ManagedGroup[],
): Promise<void> {
  await client.query(
    `INSERT INTO directory."group" (code, name, managed, source)
     SELECT code, name, true, $3 FROM unnest($1::text[], $2::text[]) AS g(code, name)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, managed = true, source = EXCLUDED.source`,
    [managedGroups.map((g) => g.code), managedGroups.map((g) => g.name), source],
  );
  await client.query(
    `UPDATE directory."group" SET managed = false WHERE managed AND source = $2 AND NOT (code = ANY($1::text[]))`,
    [managedGroups.map((g) => g.code), source],
  );
}
