-- Progress with totals (issue 17): what the worker counts (records, or bytes read while transforming), of how
-- many (NULL while unknown), since when the current phase runs (for the ETA), and when the worker last wrote
-- at all. updated_at now moves only when the figures move; heartbeat_at moves on every write, so a phase that
-- runs one long SQL statement (plan, apply) shows a live worker without pretending to make progress.
ALTER TABLE run_progress
  ADD COLUMN unit             text NOT NULL DEFAULT 'records' CHECK (unit IN ('records', 'bytes')),
  ADD COLUMN total            bigint CHECK (total >= 0),
  ADD COLUMN phase_started_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN heartbeat_at     timestamptz NOT NULL DEFAULT now();
