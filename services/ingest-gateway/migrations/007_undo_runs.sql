-- Undo a run (issue 18): a compensating run names the complete run it undoes (`undo_of`). It is an ordinary
-- run in every other way (held for `undo`, planned by the worker, applied with Apply), so no new status or
-- kind column: `undo_of IS NOT NULL` is its kind. It has no files; the worker plans it from the directory's
-- history of the undone run.
--   undo_include: users changed again by a later run that the admin asked to restore all the same;
--   undo_skipped: {count, users: [{username, laterRunId}] (first 500)}: users changed again by a later run
--                 and left alone, written by the worker when it plans the undo.
ALTER TABLE run ADD COLUMN undo_of bigint REFERENCES run (id);
ALTER TABLE run ADD COLUMN undo_include text[] NOT NULL DEFAULT '{}';
ALTER TABLE run ADD COLUMN undo_skipped jsonb;
CREATE INDEX run_undo_of_idx ON run (undo_of) WHERE undo_of IS NOT NULL;

ALTER TABLE run DROP CONSTRAINT run_hold_reason_check;
ALTER TABLE run ADD CONSTRAINT run_hold_reason_check
  CHECK (hold_reason IN ('auto_apply_off', 'first_run', 'files_too_different', 'block_threshold', 'empty_source',
                         'control_file_changed', 'no_username_rule', 'partial_remainder', 'undo'));

-- An undo removes the users the undone run created: its plan says so with action `delete`.
ALTER TABLE run_plan DROP CONSTRAINT run_plan_action_check;
ALTER TABLE run_plan ADD CONSTRAINT run_plan_action_check
  CHECK (action IN ('create', 'update', 'reactivate', 'block', 'unchanged', 'delete'));
