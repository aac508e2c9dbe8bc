-- Run progress moved to its owner's schema (runs.run_progress, ingest-gateway migration 004), written through
-- run-state; this copy is no longer read or written.
DROP TABLE IF EXISTS run_progress;
