-- The dashboard's run history (GetRunHistory) reads finished runs of the last N days, and its
-- "needs you" block (GetRunAttention) the failures since the last complete run: both are ranges on
-- finished_at over final runs. Without this index each dashboard view scans every run ever made.
CREATE INDEX run_finished_idx ON run (finished_at) WHERE status IN ('complete', 'failure', 'cancelled');
