-- A create's change list is stored once, in the run's stored plan (runs.run_plan, kept for good), not
-- also in its history row: both held the same ~500 bytes for every new user, and a 1,000,000-user first
-- import spent ~5 s writing the second copy. A history row with NULL changes is a create whose field-level
-- before/after is the plan entry (run_id, username); lookup-service reads it from there. Rows written
-- before this migration keep their own copy.
ALTER TABLE history ALTER COLUMN changes DROP NOT NULL;
