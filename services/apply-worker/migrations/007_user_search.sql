-- User search for lookup-service (issue 17 item 4): prefix matches on username, email, last name and
-- "first last", ordered by username and paged by it. Every index is in the "C" collation, whose
-- byte order lets PostgreSQL turn `LIKE 'abc%'` into an index range scan whatever the database's
-- collation is, and lets the username index also give the order of the results.
CREATE INDEX IF NOT EXISTS user_username_c_idx ON "user" ((username COLLATE "C"));
CREATE INDEX IF NOT EXISTS user_email_prefix_idx ON "user" ((lower(email) COLLATE "C"));
-- "ann" finds first names starting with ann; "ann smi" finds Ann Smith.
CREATE INDEX IF NOT EXISTS user_full_name_prefix_idx ON "user" ((lower(name_first || ' ' || name_last) COLLATE "C"));
CREATE INDEX IF NOT EXISTS user_last_name_prefix_idx ON "user" ((lower(name_last) COLLATE "C"));
