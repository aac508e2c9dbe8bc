-- Sources (issue 19). A run carries one source's desired state: `file` (the uploaded data files, as
-- before) or `scim` (the SCIM source's users, batched by the gateway's SCIM batcher). Each source has at
-- most one open run, so a held SCIM run never blocks an upload, nor the other way round; the apply worker
-- still applies one run at a time (its advisory lock).
ALTER TABLE run ADD COLUMN source text NOT NULL DEFAULT 'file' CHECK (source IN ('file', 'scim'));
-- The managed groups a run's source declares beside the configured ones: a SCIM run names the SCIM
-- groups ([{code, name}]), so their memberships are managed like any configured group.
ALTER TABLE run ADD COLUMN source_groups jsonb NOT NULL DEFAULT '[]'::jsonb;

DROP INDEX run_one_open_idx;
CREATE UNIQUE INDEX run_one_open_idx ON run (source) WHERE status IN ('uploading', 'ready', 'held', 'running');
CREATE INDEX run_source_idx ON run (source, id DESC);

-- The SCIM batcher: when it last opened a run, and which run (the portal shows the SCIM source's state).
ALTER TABLE scim.source_state ADD COLUMN last_run_id bigint;
ALTER TABLE scim.source_state ADD COLUMN last_batch_at timestamptz;
