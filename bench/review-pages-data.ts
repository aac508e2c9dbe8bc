/**
 * The review-pages bench's data (issue 16, item 5), written with set-based SQL only (generate_series,
 * INSERT … SELECT; no statement per row). Users are `u1` … `uN`, so a bench can name users it knows exist.
 *
 * - directory: N users (names, emails, tags {department}, profile), a sync membership each, a last raw
 *   record each, a create history row each (run 1, change list in the plan, as the worker stores creates) and
 *   an update row for every tenth user;
 * - runs: R finished runs (complete, some failed or cancelled) with counts and two files each, the newest 49
 *   of them with a re-sync's log (N/100 lines, some errors), then one big held run (block threshold) with its
 *   plan digest and plan counts, a stored plan of ~N creates/updates and N/50 blocks (blocks named from the
 *   directory) and a log of ~1.01 N lines, each naming its user, 1 % of them ERROR lines (grouped once, as the
 *   worker does).
 *
 * The big run's plan, its log, the blocks' names and its error groups are written through run-state's own
 * writers (replaceRunPlanFrom, appendRunLogFrom, describePlannedBlocks, storeErrorGroups), with SQL sources as
 * the apply worker passes them; everything else is plain INSERT … SELECT (setup data, not a service).
 */
import type pg from 'pg';
import { appendRunLogFrom, describePlannedBlocks, replaceRunPlanFrom, storeErrorGroups } from '@usersync/run-state';

export interface ReviewData {
  bigRunId: number;
  planRows: number;
  logLines: number;
}

/** Finished runs whose log is searched by a user lookup (its error-run window is the last 50 runs). */
const LOGGED_RUNS = 49;

const step = async (label: string, work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  console.log(`  ${label.padEnd(44)} ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s`);
};

/** The directory: users, memberships, last records and history. */
export async function fillDirectory(pool: pg.Pool, users: number): Promise<void> {
  await pool.query(
    `INSERT INTO directory."group" (code, name, managed) VALUES ('staff', 'Staff', true), ('researchers', 'Researchers', true)`,
  );
  await step(`directory.user (${users.toLocaleString('en-US')})`, () =>
    pool.query(
      `INSERT INTO directory."user" (username, title, name_first, name_last, email, in_feed, tags, profile,
                                     desired_digest, last_run_id, created_at, updated_at)
       SELECT 'u' || i, CASE WHEN i % 7 = 0 THEN 'Dr' END, 'First' || i, 'Last' || i, 'u' || i || '@example.org', true,
              json_build_object('department', 'd' || (i % 50)),
              json_build_object('std:attribute:job-title', json_build_array('Clerk'), 'std:attribute:employee-id', 'E' || i),
              md5(i::text) || md5((-i)::text), 1, now() - interval '400 days', now() - interval '1 day'
       FROM generate_series(1, $1::int) AS i ORDER BY i`,
      [users],
    ),
  );
  await step('directory.membership', () =>
    pool.query(
      `INSERT INTO directory.membership (user_id, group_code, source)
       SELECT id, CASE WHEN id % 10 = 0 THEN 'researchers' ELSE 'staff' END, 'sync' FROM directory."user"`,
    ),
  );
  await step('directory.last_record', () =>
    pool.query(
      `INSERT INTO directory.last_record (user_id, run_id, record, record_digest)
       SELECT id, 1, json_build_object('ID', upper(username), 'FIRST', name_first, 'LAST', name_last, 'EMAIL', email,
                                       'DEPT', tags->>'department', 'JOB', 'Clerk', 'EMPNO', 'E' || id),
              md5(username) || md5(email)
       FROM directory."user"`,
    ),
  );
  await step('directory.history', () =>
    pool.query(
      `INSERT INTO directory.history (run_id, user_id, action, changes, at)
       SELECT 1, id, 'create', NULL::json, now() - interval '400 days' FROM directory."user"
       UNION ALL
       SELECT 2 + id % 1000, id, 'update',
              json_build_array(json_build_object('field', 'nameLast', 'before', 'Old' || id, 'after', name_last)),
              now() - interval '100 days'
       FROM directory."user" WHERE id % 10 = 0`,
    ),
  );
}

/** R finished runs, oldest first (ids 1…R), an hour apart, with counts and files; the newest 49 with logs. */
async function fillFinishedRuns(pool: pg.Pool, users: number, runs: number): Promise<void> {
  await step(`runs.run, finished (${runs.toLocaleString('en-US')})`, () =>
    pool.query(
      `INSERT INTO runs.run (status, created_at, updated_at, ready_at, started_at, finished_at, expected_files,
                             counts, plan_counts, plan_digest, error_count, failure_message, approved_by, queued_by)
       SELECT s.status, s.t, s.t + interval '5 min', s.t + interval '1 min', s.t + interval '2 min', s.t + interval '5 min',
              '{_control,people}', s.counts, CASE WHEN s.status = 'complete' THEN s.counts ELSE '{}'::jsonb END,
              CASE WHEN s.status = 'complete' THEN md5(s.r::text) END, s.r % 11,
              CASE WHEN s.status = 'failure' THEN 'the feed could not be read' END,
              CASE WHEN s.r = 1 THEN '{"kind":"admin","id":"1","displayName":"Ada Admin"}'::jsonb END,
              '{"kind":"api_key","id":"k1","displayName":"HR nightly feed"}'::jsonb
       FROM (SELECT r, now() - ($2::int - r + 2) * interval '1 hour' AS t,
                    CASE WHEN r % 97 = 0 THEN 'failure' WHEN r % 89 = 0 THEN 'cancelled' ELSE 'complete' END AS status,
                    CASE WHEN r = 1 THEN jsonb_build_object('created', $1::int, 'updated', 0, 'reactivated', 0,
                                                            'blocked', 0, 'unchanged', 0, 'errors', 0)
                         ELSE jsonb_build_object('created', r % 40, 'updated', $1::int / 100 + r % 13,
                                                 'reactivated', r % 3, 'blocked', r % 17,
                                                 'unchanged', $1::int - $1::int / 100, 'errors', r % 11) END AS counts
             FROM generate_series(1, $2::int) AS r) AS s
       ORDER BY s.r`,
      [users, runs],
    ),
  );
  await step('runs.run_file (2 a run)', () =>
    pool.query(
      `INSERT INTO runs.run_file (run_id, name, digest, size, filename, uploaded_at)
       SELECT r.id, f.name, md5(r.id || f.name) || md5(f.name || r.id), f.size, f.filename, r.created_at
       FROM runs.run r,
            (VALUES ('_control', 1200::bigint, '_control.json'), ('people', 217000000::bigint, 'people.json')) AS f(name, size, filename)`,
    ),
  );
  const perRun = Math.max(10, Math.floor(users / 100));
  await step(`runs.run_log, ${LOGGED_RUNS} re-syncs × ${perRun.toLocaleString('en-US')} lines`, () =>
    pool.query(
      `INSERT INTO runs.run_log (run_id, seq, level, username, text)
       SELECT r.id, k, CASE WHEN k % 20 = 0 THEN 'error' ELSE 'info' END, 'u' || u.n,
              CASE WHEN k % 20 = 0 THEN 'ERROR: Invalid email address for EMAIL: "u' || u.n || '@" (record ' || k || ', user u' || u.n || ')'
                   ELSE 'update u' || u.n END
       FROM (SELECT id FROM runs.run ORDER BY id DESC LIMIT ${LOGGED_RUNS}) AS r,
            generate_series(1, $2::int) AS k,
            LATERAL (SELECT 1 + (k::bigint * 7919 + r.id * 104729) % $1::int AS n) AS u`,
      [users, perRun],
    ),
  );
}

/** Plan rows of the big run: updates of users 1…0.8N, blocks of every 50th user, creates of 0.2N new users. */
const PLAN_SOURCE = `
  SELECT 'u' || i AS username, CASE WHEN i % 50 = 0 THEN 'block' ELSE 'update' END AS action,
         CASE WHEN i % 50 = 0 THEN '[{"field":"active","before":true,"after":false}]'
              WHEN i % 3 = 0 THEN '[{"field":"email","before":"u' || i || '@example.org","after":"u' || i || '@new.example.org"}]'
              ELSE '[{"field":"nameLast","before":"Last' || i || '","after":"Newlast' || i || '"},{"field":"tags.department","before":"d' || (i % 50) || '","after":"d' || ((i + 1) % 50) || '"}]'
         END::json AS changes
  FROM generate_series(1, $2::int) AS i WHERE i % 50 = 0 OR i <= $2::int * 4 / 5
  UNION ALL
  SELECT 'u' || i, 'create',
         ('[{"field":"email","before":null,"after":"u' || i || '@example.org"},{"field":"groups","before":null,"after":["staff"]},'
          || '{"field":"nameFirst","before":null,"after":"First' || i || '"},{"field":"nameLast","before":null,"after":"Last' || i || '"},'
          || '{"field":"tags.department","before":null,"after":"d' || (i % 50) || '"}]')::json
  FROM generate_series($2::int + 1, $2::int + $2::int / 5) AS i`;

/** The big run's log: START, one line per planned user (block/update/create), an ERROR line for every 100th, END. */
const LOG_SOURCE = `
  SELECT 0::bigint AS ord, 'info' AS level, NULL::text AS username, 'START sync at 2026-12-03T06:00:00Z' AS text
  UNION ALL
  SELECT i::bigint * 10, 'info', 'u' || i,
         CASE WHEN i % 50 = 0 THEN 'block ' WHEN i <= $3::int * 4 / 5 THEN 'update ' ELSE 'create ' END || 'u' || i
  FROM generate_series(1, $3::int) AS i
  UNION ALL
  SELECT i::bigint * 10 + 1, 'error', 'u' || i,
         'ERROR: Invalid email address for EMAIL: "u' || i || '@@example" (record ' || i || ', user u' || i || ')'
  FROM generate_series(100, $3::int, 100) AS i
  UNION ALL
  SELECT i::bigint * 10 + 2, 'warning', 'u' || i, 'Record has missing data for PHONE (record ' || i || ', user u' || i || ')'
  FROM generate_series(500, $3::int, 1000) AS i
  UNION ALL
  SELECT 9e15::bigint, 'info', NULL, 'END sync at 2026-12-03T06:04:00Z'`;

/** The runs schema: finished runs, then the big held run with its plan and log. */
export async function fillRuns(pool: pg.Pool, users: number, runs: number): Promise<ReviewData> {
  await fillFinishedRuns(pool, users, runs);
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO runs.run (status, created_at, updated_at, ready_at, started_at, expected_files, hold_reason, hold_detail,
                           queued_by)
     VALUES ('held', now() - interval '30 min', now() - interval '20 min', now() - interval '29 min',
             now() - interval '28 min', '{_control,people}', 'block_threshold', $1,
             '{"kind":"api_key","id":"k1","displayName":"HR nightly feed"}')
     RETURNING id`,
    [`would block ${Math.floor(users / 50).toLocaleString('en-US')} users, more than the limit of 100`],
  );
  const bigRunId = Number(rows[0]!.id);
  await pool.query(
    `INSERT INTO runs.run_file (run_id, name, digest, size, filename)
     VALUES ($1, '_control', md5('c') || md5('c'), 1200, '_control.json'), ($1, 'people', md5('p') || md5('p'), 217000000, 'people.json')`,
    [bigRunId],
  );
  let planRows = 0;
  await step(`runs.run_plan of run ${bigRunId}`, async () => {
    planRows = await replaceRunPlanFrom(pool, bigRunId, PLAN_SOURCE, [users]);
  });
  await step('blocks named (describePlannedBlocks)', () =>
    describePlannedBlocks(
      pool,
      bigRunId,
      `SELECT u.username, nullif(trim(u.name_first || ' ' || u.name_last), '') AS display_name,
              nullif(u.email, '') AS email, l.run_id AS last_seen_run
       FROM directory."user" u LEFT JOIN directory.last_record l ON l.user_id = u.id WHERE u.id % 50 = 0`,
    ),
  );
  let logLines = 0;
  await step(`runs.run_log of run ${bigRunId}`, async () => {
    logLines = await appendRunLogFrom(pool, bigRunId, 0, LOG_SOURCE, [users]);
  });
  await step('error groups (storeErrorGroups)', () => storeErrorGroups(pool, bigRunId));
  // Plan counts and digest as the worker stores them with the plan; unchanged users are only counted.
  await pool.query(
    `UPDATE runs.run SET
       plan_counts = (SELECT jsonb_build_object(
           'created', count(*) FILTER (WHERE action = 'create'), 'updated', count(*) FILTER (WHERE action = 'update'),
           'reactivated', 0, 'blocked', count(*) FILTER (WHERE action = 'block'),
           'unchanged', $2::int - count(*) FILTER (WHERE action IN ('update', 'block')), 'errors', $2::int / 100)
         FROM runs.run_plan WHERE run_id = $1),
       plan_digest = md5('plan of ' || $1), error_count = $2::int / 100
     WHERE id = $1`,
    [bigRunId, users],
  );
  return { bigRunId, planRows, logLines };
}
