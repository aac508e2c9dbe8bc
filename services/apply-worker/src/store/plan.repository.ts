/**
 * The planner: set-based SQL that joins the feed (temporary table) with the directory and classifies
 * every user as create, update, reactivate, block or unchanged, with field-level changes for the rest.
 * The plan is a temporary table too, so the applier writes exactly what was planned.
 *
 * Records the transform stage already found unchanged against the baseline (baseline.repository.ts)
 * never reach the feed: they are only counted. Users absent from the file come from the baseline too
 * (temp table `feed_absent`), so the planner never scans the whole directory.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { describePlannedBlocks, replaceRunPlanFrom, type ActionCountsRow, type RunSource } from '@usersync/run-state';

/** What the planner found. */
export interface PlanSummary {
  counts: Required<Pick<ActionCountsRow, 'created' | 'updated' | 'reactivated' | 'blocked' | 'unchanged'>>;
  /** Managed users in the feed before the run. */
  inFeed: number;
  /** Equal digests mean the same changes to the same directory (see planDigest). */
  digest: string;
}

/** Options the plan depends on. */
export interface PlanOptions {
  /** Force update: a user whose state is unchanged is updated all the same. */
  updateAll: boolean;
  /** The run's source: only its users are planned (see foreignRecords for records naming another's). */
  source: RunSource;
}

/** What the transform stage learned from the baseline. */
export interface BaselineFacts {
  /** Managed users in the feed before the run. */
  inFeed: number;
  /** Records that matched their user's stored digests (not in the feed table). */
  unchanged: number;
}

// The state a user would have after the run, in field_changes' shape.
const DESIRED = `jsonb_build_object('title', f.title, 'nameFirst', f.name_first, 'nameLast', f.name_last,
  'email', f.email, 'groups', f.groups::jsonb, 'tags', f.tags::jsonb, 'profile', f.profile::jsonb, 'active', true,
  'inFeed', true)`;
// A new user's fields as JSON text, concatenated from the feed's canonical JSON columns: jsonb objects
// per row are too slow for a first import (bench/README.md). Tags and the profile are shown whole.
const after = (field: string, json: string) => `{"field":"${field}","before":null,"after":' || ${json} || '}`;
const text = (column: string) => `coalesce(to_json(${column})::text, 'null')`;
const CREATED = `('[${[
  after('email', text('f.email')),
  after('groups', 'f.groups'),
  after('nameFirst', text('f.name_first')),
  after('nameLast', text('f.name_last')),
  after('profile', 'f.profile'),
  after('tags', 'f.tags'),
  after('title', text('f.title')),
].join(',')}]')::json`;
// The stored state; groups are the memberships the sync made (manual ones are never touched).
const CURRENT = `jsonb_build_object('title', u.title, 'nameFirst', u.name_first, 'nameLast', u.name_last,
  'email', u.email, 'groups', coalesce((SELECT jsonb_agg(m.group_code ORDER BY m.group_code) FROM directory.membership m
     WHERE m.user_id = u.id AND m.source = 'sync'), '[]'::jsonb),
  'tags', u.tags::jsonb, 'profile', u.profile::jsonb, 'active', u.active, 'inFeed', u.in_feed)`;

/**
 * Builds temp table `plan` (username, rec, user_id, action, new_digest, old_digest, changes) and
 * returns counts and digest. A create gets its user id from the sequence here, so the applier writes
 * memberships and history by id without looking a million new users up by name. A record that failed
 * for an existing user keeps that user out of the block set (hazard H2) unless `blockInvalidRecords`
 * (the transform stage decides which users are absent, see transform-stage.ts).
 */
export async function buildPlan(
  client: pg.ClientBase,
  opts: PlanOptions,
  baseline: BaselineFacts,
): Promise<PlanSummary> {
  await createPlanTable(client);
  await client.query(
    `INSERT INTO plan (username, rec, user_id, action, new_digest, old_digest, changes)
     SELECT f.username, f.rec, CASE WHEN u.id IS NULL THEN nextval('directory.user_id_seq') ELSE u.id END,
       c.action, f.digest, u.desired_digest,
       CASE WHEN c.action = 'unchanged' THEN NULL
            WHEN c.action = 'create' THEN ${CREATED}
            ELSE directory.field_changes(${CURRENT}, ${DESIRED})::json END
     FROM feed f LEFT JOIN directory."user" u ON u.username = f.username
       CROSS JOIN LATERAL (SELECT CASE
           WHEN u.id IS NULL THEN 'create'
           WHEN NOT (NOT u.in_feed OR NOT u.managed OR u.error OR f.has_error OR $1::boolean
                     OR u.desired_digest IS DISTINCT FROM f.digest) THEN 'unchanged'
           WHEN u.active THEN 'update'
           ELSE 'reactivate'
         END AS action) AS c
     WHERE f.valid AND (u.id IS NULL OR u.source = $2)
     UNION ALL
     SELECT u.username, NULL, u.id, 'block', NULL, u.desired_digest,
       json_build_array(json_build_object('field', 'active', 'before', u.active, 'after', false),
                        json_build_object('field', 'inFeed', 'before', true, 'after', false))
     FROM feed_absent a JOIN directory."user" u ON u.username = a.username
     WHERE u.managed AND u.in_feed`,
    [opts.updateAll, opts.source],
  );
  return summarizePlan(client, baseline);
}

/** Valid records of the feed that name a user of another source: errors of those records (none is planned). */
export interface ForeignRecords {
  count: number;
  /** The first of them, by record order: username and owning source. */
  sample: { username: string; source: RunSource }[];
}

/** Finds the feed's records whose user belongs to another source than the run's (buildPlan left them out). */
export async function foreignRecords(client: pg.ClientBase, source: RunSource, limit: number): Promise<ForeignRecords> {
  const { rows } = await client.query<{ username: string; source: RunSource; total: number }>(
    `SELECT f.username, u.source, (count(*) OVER ())::int AS total
     FROM feed f JOIN directory."user" u ON u.username = f.username
     WHERE f.valid AND u.source <> $1 ORDER BY f.rec LIMIT $2`,
    [source, limit],
  );
  return { count: rows[0]?.total ?? 0, sample: rows.map((r) => ({ username: r.username, source: r.source })) };
}

/** Creates the temp table `plan` (username, rec, user_id, action, new_digest, old_digest, changes). */
export async function createPlanTable(client: pg.ClientBase): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE plan (username text NOT NULL, rec int, user_id bigint, action text NOT NULL, new_digest text,
       old_digest text, changes json) ON COMMIT DROP`,
  );
}

/** Counts and digest of the plan table as it stands (built by buildPlan, or filled by direct creates). */
export async function summarizePlan(client: pg.ClientBase, baseline: BaselineFacts): Promise<PlanSummary> {
  const { rows } = await client.query<{ action: string; n: number }>(
    'SELECT action, count(*)::int AS n FROM plan GROUP BY action',
  );
  const by = Object.fromEntries(rows.map((r) => [r.action, r.n])) as Record<string, number>;
  const unchanged = (by.unchanged ?? 0) + baseline.unchanged;
  return {
    counts: {
      created: by.create ?? 0,
      updated: by.update ?? 0,
      reactivated: by.reactivate ?? 0,
      blocked: by.block ?? 0,
      unchanged,
    },
    inFeed: baseline.inFeed,
    digest: await planDigest(client, unchanged),
  };
}

/**
 * A digest of the changes: every changed user's action with the stored and the new desired-state digest,
 * plus how many users stay unchanged. Two 64-bit XORs of PostgreSQL's text hash (the one hash
 * partitioning uses) are independent of row order, so a first import needs neither a sort nor md5
 * (bench/README.md); rows are unique by username, so none cancel out. Only compared within one
 * installation (preview vs apply); should a PostgreSQL upgrade change the hash, a held run is held again.
 */
async function planDigest(client: pg.ClientBase, unchanged: number): Promise<string> {
  const { rows } = await client.query<{ n: string; a: string; b: string }>(
    `SELECT count(*) AS n, coalesce(bit_xor(hashtextextended(t, 0)), 0) AS a, coalesce(bit_xor(hashtextextended(t, 1)), 0) AS b
     FROM (SELECT username || ' ' || action || ' ' || coalesce(new_digest, '-') || ' ' || coalesce(old_digest, '-') AS t
           FROM plan WHERE action <> 'unchanged') AS s`,
  );
  const { n, a, b } = rows[0]!;
  return createHash('sha256').update(`${n} ${a} ${b} ${unchanged}`).digest('hex');
}

/**
 * Stores the plan's changed rows in runs.run_plan (unchanged users are counted, not stored), and for each
 * block who it takes away: name, email and the last run that named them.
 */
export async function storePlan(client: pg.ClientBase, runId: number): Promise<void> {
  await replaceRunPlanFrom(client, runId, `SELECT username, action, changes FROM plan WHERE action <> 'unchanged'`);
  await describePlannedBlocks(
    client,
    runId,
    `SELECT p.username, nullif(trim(u.name_first || ' ' || u.name_last), '') AS display_name,
            nullif(u.email, '') AS email, l.run_id AS last_seen_run
     FROM plan p JOIN directory."user" u ON u.id = p.user_id LEFT JOIN directory.last_record l ON l.user_id = u.id
     WHERE p.action = 'block'`,
  );
}

/**
 * Keeps back the plan rows an admin's partial approval leaves for later: changes whose action is not in
 * `actions`, and every change of an excluded user. Returns how many changes were kept back.
 */
export async function keepBackOutsideScope(
  client: pg.ClientBase,
  scope: { actions: readonly string[]; excludedUsernames: readonly string[] },
): Promise<number> {
  const { rowCount } = await client.query(
    `DELETE FROM plan WHERE action <> 'unchanged' AND (action <> ALL($1::text[]) OR username = ANY($2::text[]))`,
    [[...scope.actions], [...scope.excludedUsernames]],
  );
  return rowCount ?? 0;
}
