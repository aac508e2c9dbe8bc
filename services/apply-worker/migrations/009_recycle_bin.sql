-- The recycle bin (issue 18 item 2). A user a run blocks for being absent from the feed stays whole
-- (profile, memberships, history) for the configured grace period; after it the worker's recycle timer
-- keeps, anonymises or deletes the user (runs.sync_config: recycleGraceDays, recycleAfterGrace).

-- When a run blocked the user for being absent from its feed; NULL for every user a sync did not block.
-- Cleared when a run reactivates the user or an admin restores them.
ALTER TABLE "user" ADD COLUMN blocked_at timestamptz;
-- When the recycle timer anonymised the user (the row stays as a tombstone `anonymised-<id>`).
ALTER TABLE "user" ADD COLUMN anonymised_at timestamptz;
-- Users blocked by a sync before this migration: their last change is the block.
UPDATE "user" SET blocked_at = updated_at WHERE managed AND NOT active AND NOT in_feed;
-- The timer and the recycle bin page read only these rows, oldest first.
CREATE INDEX user_blocked_at_idx ON "user" (blocked_at, id) WHERE blocked_at IS NOT NULL;

-- History rows without a run: the recycle timer's steps and an admin's restore, each with its reason.
ALTER TABLE history ALTER COLUMN run_id DROP NOT NULL;
ALTER TABLE history ADD COLUMN reason text;
ALTER TABLE history DROP CONSTRAINT history_action_check;
ALTER TABLE history ADD CONSTRAINT history_action_check
  CHECK (action IN ('create', 'update', 'reactivate', 'block', 'delete', 'anonymise', 'restore'));
