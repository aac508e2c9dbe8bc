-- Sources (issue 19): every user belongs to the source that created it, `file` (the uploaded feed) or
-- `scim` (SCIM provisioning). A run plans only its own source's users: a file feed never blocks a SCIM
-- user for being absent from its file, nor a SCIM run a file user; a record naming another source's user
-- is an error of that record, and the user is left as it is.
ALTER TABLE "user" ADD COLUMN source text NOT NULL DEFAULT 'file' CHECK (source IN ('file', 'scim'));

-- The transform fingerprint is per source: each source's digests are verified by its own runs.
ALTER TABLE sync_state ADD COLUMN source text NOT NULL DEFAULT 'file' CHECK (source IN ('file', 'scim'));
ALTER TABLE sync_state DROP COLUMN id;
ALTER TABLE sync_state ADD PRIMARY KEY (source);

-- A managed group belongs to a source too: the configured groups to `file`, the SCIM groups (codes
-- `scim:<id>`) to `scim`. A run marks managed, and stops managing, only its own source's groups.
ALTER TABLE "group" ADD COLUMN source text NOT NULL DEFAULT 'file' CHECK (source IN ('file', 'scim'));
