-- Undo a run (issue 18). A history row's field-level before/after covers what the feed sets (title, names,
-- email, groups, tags, profile, active, in feed); restoring a user exactly also needs what it does not:
-- `prior` keeps the row's bookkeeping before the change ({managed, error, desiredDigest, lastRunId, updatedAt}),
-- for an update or reactivate also the tags and profile JSON as stored (so their text comes back byte for byte)
-- and, when the sync-made groups changed, those memberships with their creation times ({code, at}).
-- NULL for a create (nothing was before) and for rows written before this migration; an undo of those
-- restores the fields from `changes` and clears desired_digest, so the next run re-applies the user.
ALTER TABLE history ADD COLUMN prior json;

-- An undo run writes its own rows: 'delete' for a user the undone run created (the user row goes; its history
-- stays, the record of what happened), and the inverse action for the others (a block undone is a reactivate).
ALTER TABLE history DROP CONSTRAINT history_action_check;
ALTER TABLE history ADD CONSTRAINT history_action_check
  CHECK (action IN ('create', 'update', 'reactivate', 'block', 'delete'));
