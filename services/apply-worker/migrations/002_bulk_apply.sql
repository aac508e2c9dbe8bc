-- Bulk-apply speed (DESIGN §10; measured on a 1,000,000-user first import).
--
-- Foreign keys: PostgreSQL checks each one with a lookup per inserted row (~3 µs), which was a fifth of
-- a first import. The apply worker is the only writer of these tables and never deletes a user or a
-- group (a user who leaves the feed is blocked; a group that leaves the config stops being managed), so
-- the keys guarded nothing its transaction does not already guarantee.
ALTER TABLE membership DROP CONSTRAINT membership_user_id_fkey, DROP CONSTRAINT membership_group_code_fkey;
ALTER TABLE history DROP CONSTRAINT history_user_id_fkey;
ALTER TABLE last_record DROP CONSTRAINT last_record_user_id_fkey;

-- The block phase now finds absent users from the worker's in-memory baseline of in-feed users, not by
-- scanning this index; keeping it cost every insert and update of a user.
DROP INDEX user_in_feed_idx;

-- Change lists, raw records, tags and profiles are written whole and read whole (lookup, portal); only
-- the planner looks inside a user's tags and profile, for the few users it updates, through a cast.
-- `json` stores the text as given after a validity check, `jsonb` parsed it into a tree on every write.
ALTER TABLE "user" ALTER COLUMN tags DROP DEFAULT,
  ALTER COLUMN tags TYPE json USING tags::json,
  ALTER COLUMN tags SET DEFAULT '{}'::json,
  ALTER COLUMN profile DROP DEFAULT,
  ALTER COLUMN profile TYPE json USING profile::json,
  ALTER COLUMN profile SET DEFAULT '{}'::json;
ALTER TABLE history ALTER COLUMN changes DROP DEFAULT,
  ALTER COLUMN changes TYPE json USING changes::json,
  ALTER COLUMN changes SET DEFAULT '[]'::json;
ALTER TABLE last_record ALTER COLUMN record TYPE json USING record::json;
