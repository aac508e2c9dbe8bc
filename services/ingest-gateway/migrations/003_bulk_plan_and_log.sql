-- Bulk-apply speed (DESIGN §10): a 1,000,000-user run writes a million plan rows and log lines, and a
-- foreign key costs a lookup per inserted row. Runs are never deleted, and only the run-state module
-- writes these rows, for a run it has just locked, so the keys guarded nothing.
ALTER TABLE run_plan DROP CONSTRAINT run_plan_run_id_fkey;
ALTER TABLE run_log DROP CONSTRAINT run_log_run_id_fkey;

-- Change lists are written once and read whole: `json` keeps the text after a validity check instead of
-- parsing it into a jsonb tree on every write.
ALTER TABLE run_plan ALTER COLUMN changes DROP DEFAULT,
  ALTER COLUMN changes TYPE json USING changes::json,
  ALTER COLUMN changes SET DEFAULT '[]'::json;
