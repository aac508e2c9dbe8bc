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
