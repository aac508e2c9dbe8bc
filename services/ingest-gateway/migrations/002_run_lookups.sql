-- The original filename of each control file version (shown in history, used when a new run inherits it).
ALTER TABLE control_file ADD COLUMN filename text NOT NULL DEFAULT '';

-- The start-sync safety check compares with the last applied run: find it without scanning every run.
CREATE INDEX run_complete_idx ON run (finished_at DESC, id DESC) WHERE status = 'complete';

-- The audit trail of one run, for its page.
CREATE INDEX run_audit_run_idx ON run_audit (run_id, at DESC) WHERE run_id IS NOT NULL;
