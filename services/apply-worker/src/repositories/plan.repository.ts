/**
 * The planner: set-based SQL that joins the feed (temporary table) with the directory and classifies
 * every user as create, update, reactivate, block or unchanged, with field-level changes for the rest.
 * The plan is a temporary table too, so the applier writes exactly what was planned.
 */
import type pg from 'pg';
import { replaceRunPlanFrom, type ActionCountsRow } from '@usersync/run-state';

/** What the planner found. */
export interface PlanSummary {
  counts: Required<Pick<ActionCountsRow, 'created' | 'updated' | 'reactivated' | 'blocked' | 'unchanged'>>;
  /** Managed users in the feed before the run. */
  inFeed: number;
  /** sha256 over the plan in username order: equal digests mean the same changes to the same directory. */
  digest: string;
}

/** Options the plan depends on. */
export interface PlanOptions {
  updateAll: boolean;
  blockInvalidRecords: boolean;
}

// The state a user would have after the run, in field_changes' shape.
const DESIRED = `jsonb_build_object('title', f.title, 'nameFirst', f.name_first, 'nameLast', f.name_last,
  'email', f.email, 'groups', f.groups::jsonb, 'tags', f.tags::jsonb, 'profile', f.profile::jsonb, 'active', true,
  'inFeed', true)`;
// A new user's fields, built inline: field_changes() costs ~50 µs a row, too much for a million creates.
// Tags and the profile are shown whole for a create (field 'tags' / 'profile').
const CREATED = `jsonb_build_array(
  jsonb_build_object('field', 'email', 'before', NULL, 'after', f.email),
  jsonb_build_object('field', 'groups', 'before', NULL, 'after', f.groups::jsonb),
  jsonb_build_object('field', 'nameFirst', 'before', NULL, 'after', f.name_first),
  jsonb_build_object('field', 'nameLast', 'before', NULL, 'after', f.name_last),
  jsonb_build_object('field', 'profile', 'before', NULL, 'after', f.profile::jsonb),
  jsonb_build_object('field', 'tags', 'before', NULL, 'after', f.tags::jsonb),
  jsonb_build_object('field', 'title', 'before', NULL, 'after', f.title))`;
// The stored state; groups are the memberships the sync made (manual ones are never touched).
const CURRENT = `jsonb_build_object('title', u.title, 'nameFirst', u.name_first, 'nameLast', u.name_last,
  'email', u.email, 'groups', coalesce((SELECT jsonb_agg(m.group_code ORDER BY m.group_code) FROM directory.membership m
     WHERE m.user_id = u.id AND m.source = 'sync'), '[]'::jsonb),
  'tags', u.tags, 'profile', u.profile, 'active', u.active, 'inFeed', u.in_feed)`;

/**
 * Builds temp table `plan` (username, rec, user_id, action, new_digest, old_digest, changes) and
 * returns counts and digest. A create gets its user id from the sequence here, so the applier writes
 * memberships and history by id without looking a million new users up by name. A record that failed for an existing user keeps that user out of the
 * block set (hazard H2) unless `blockInvalidRecords`.
 */
export async function buildPlan(client: pg.ClientBase, opts: PlanOptions): Promise<PlanSummary> {
  await client.query(
    `CREATE TEMP TABLE plan (username text NOT NULL, rec int, user_id bigint, action text NOT NULL, new_digest text,
       old_digest text, changes jsonb) ON COMMIT DROP`,
  );
  await client.query(
    `INSERT INTO plan (username, rec, user_id, action, new_digest, old_digest, changes)
     SELECT f.username, f.rec, CASE WHEN u.id IS NULL THEN nextval('directory.user_id_seq') ELSE u.id END,
       c.action, f.digest, u.desired_digest,
       CASE WHEN c.action = 'unchanged' THEN NULL
            WHEN c.action = 'create' THEN ${CREATED}
            ELSE directory.field_changes(${CURRENT}, ${DESIRED}) END
     FROM feed f LEFT JOIN directory."user" u ON u.username = f.username
       CROSS JOIN LATERAL (SELECT CASE
           WHEN u.id IS NULL THEN 'create'
           WHEN NOT (NOT u.in_feed OR NOT u.managed OR u.error OR f.has_error OR $1::boolean
                     OR u.desired_digest IS DISTINCT FROM f.digest) THEN 'unchanged'
           WHEN u.active THEN 'update'
           ELSE 'reactivate'
         END AS action) AS c
     WHERE f.valid
     UNION ALL
     SELECT u.username, NULL, u.id, 'block', NULL, u.desired_digest,
       jsonb_build_array(jsonb_build_object('field', 'active', 'before', u.active, 'after', false),
                         jsonb_build_object('field', 'inFeed', 'before', true, 'after', false))
     FROM directory."user" u
     WHERE u.managed AND u.in_feed
       AND NOT EXISTS (SELECT 1 FROM feed f WHERE f.username = u.username AND (f.valid OR NOT $2::boolean))`,
    [opts.updateAll, opts.blockInvalidRecords],
  );
  const { rows } = await client.query<{ action: string; n: number }>(
    'SELECT action, count(*)::int AS n FROM plan GROUP BY action',
  );
  const by = Object.fromEntries(rows.map((r) => [r.action, r.n])) as Record<string, number>;
  const inFeed = await client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM directory."user" WHERE managed AND in_feed',
  );
  const digest = await client.query<{ digest: string }>(
    `SELECT encode(sha256(convert_to(coalesce(string_agg(
       md5(username || ' ' || action || ' ' || coalesce(new_digest, '-') || ' ' || coalesce(old_digest, '-')),
       '' ORDER BY username), ''), 'UTF8')), 'hex') AS digest
     FROM plan`,
  );
  return {
    counts: {
      created: by.create ?? 0,
      updated: by.update ?? 0,
      reactivated: by.reactivate ?? 0,
      blocked: by.block ?? 0,
      unchanged: by.unchanged ?? 0,
    },
    inFeed: inFeed.rows[0]!.n,
    digest: digest.rows[0]!.digest,
  };
}

/** Stores the plan's changed rows in runs.run_plan (unchanged users are counted, not stored). */
export async function storePlan(client: pg.ClientBase, runId: number): Promise<void> {
  await replaceRunPlanFrom(client, runId, `SELECT username, action, changes FROM plan WHERE action <> 'unchanged'`);
}
