-- A held run gets a status of its own (issue 16). Until now it was `ready` with a hold reason, the same word
-- as a run waiting for its files or its start-sync. Existing held runs move over; the one-open-run index
-- counts `held` as open, as `ready` was.
ALTER TABLE run DROP CONSTRAINT run_status_check;
ALTER TABLE run ADD CONSTRAINT run_status_check
  CHECK (status IN ('uploading', 'ready', 'held', 'running', 'complete', 'cancelled', 'failure'));

UPDATE run SET status = 'held' WHERE status = 'ready' AND hold_reason IS NOT NULL;

DROP INDEX run_one_open_idx;
CREATE UNIQUE INDEX run_one_open_idx ON run ((true)) WHERE status IN ('uploading', 'ready', 'held', 'running');

-- The runs list endpoint and the portal filter by status, newest first.
CREATE INDEX run_status_idx ON run (status, id DESC);

-- Partial approval: an admin applies part of a held run's plan now (approved_scope: {actions, excludedUsernames,
-- reason}); the rest becomes a follow-up run, held for `partial_remainder`, that names the run it continues.
ALTER TABLE run ADD COLUMN approved_scope jsonb;
ALTER TABLE run ADD COLUMN remainder_of bigint REFERENCES run (id);
ALTER TABLE run DROP CONSTRAINT run_hold_reason_check;
ALTER TABLE run ADD CONSTRAINT run_hold_reason_check
  CHECK (hold_reason IN ('auto_apply_off', 'first_run', 'files_too_different', 'block_threshold', 'empty_source',
                         'control_file_changed', 'no_username_rule', 'partial_remainder'));

-- The review page at scale (issue 16). Errors grouped by message, counted once when the run's log is written
-- ([{message, count, username}] of the largest groups), so a page never groups 150,000 log lines per view.
ALTER TABLE run ADD COLUMN error_groups jsonb NOT NULL DEFAULT '[]'::jsonb;
-- Who a block takes away, as the directory had them when planned: the review lists names, not usernames only.
ALTER TABLE run_plan ADD COLUMN display_name text;
ALTER TABLE run_plan ADD COLUMN email text;
ALTER TABLE run_plan ADD COLUMN last_seen_run bigint;
-- The log's username filter is case-insensitive: index what it compares (lower(username)), in log order, so
-- a page of one user's lines is read off the index whatever the planner guesses of the match count (a partial
-- expression index has no statistics; bench/README.md "Review pages"). User lookups probe it the same way.
DROP INDEX run_log_username_idx;
CREATE INDEX run_log_username_idx ON run_log (run_id, lower(username), seq) WHERE username IS NOT NULL;
