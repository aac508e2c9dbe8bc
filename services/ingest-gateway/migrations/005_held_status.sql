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
