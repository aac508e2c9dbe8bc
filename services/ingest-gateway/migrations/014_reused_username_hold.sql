-- The recycle bin (issue 18): a run is held when a blocked user returns with a different stable key
-- (sync config recycleStableKey): the username was given to another person, who must not get the old account.
ALTER TABLE run DROP CONSTRAINT run_hold_reason_check;
ALTER TABLE run ADD CONSTRAINT run_hold_reason_check
  CHECK (hold_reason IN ('auto_apply_off', 'first_run', 'files_too_different', 'block_threshold', 'empty_source',
                         'control_file_changed', 'no_username_rule', 'partial_remainder', 'undo', 'block_window',
                         'group_removals', 'reused_username'));
