-- Guards over time (issue 18): a run held because its blocks plus those applied in a rolling window (or against
-- the median of recent runs) exceed a limit, or because it would empty a group. The windows read complete runs by
-- finished_at (run_finished_idx, migration 009) and their stored counts.
ALTER TABLE run DROP CONSTRAINT run_hold_reason_check;
ALTER TABLE run ADD CONSTRAINT run_hold_reason_check
  CHECK (hold_reason IN ('auto_apply_off', 'first_run', 'files_too_different', 'block_threshold', 'empty_source',
                         'control_file_changed', 'no_username_rule', 'partial_remainder', 'undo', 'block_window',
                         'group_removals'));
