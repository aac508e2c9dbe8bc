-- Schema `runs`, owned by ingest-gateway. The apply-worker writes a run's execution fields (status,
-- counts, log, plan) only through @usersync/run-state, inside its apply transaction.

-- A sync run: a set of uploaded files and what became of them (Haplo's `sync` table, extended).
CREATE TABLE run (
  id               bigserial PRIMARY KEY,
  status           text NOT NULL DEFAULT 'uploading'
                   CHECK (status IN ('uploading', 'ready', 'running', 'complete', 'cancelled', 'failure')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  ready_at         timestamptz,
  started_at       timestamptz,
  finished_at      timestamptz,               -- Haplo's "applied": when the run reached a final status
  -- the file names that make the run ready: the control file's `files` keys plus `_control`
  expected_files   text[] NOT NULL,
  hold_reason      text CHECK (hold_reason IN ('auto_apply_off', 'first_run', 'files_too_different',
                   'block_threshold', 'empty_source', 'control_file_changed', 'no_username_rule')),
  hold_detail      text,
  approved_by      jsonb,                     -- {kind, id, displayName}: an admin applied it by hand
  approved_at      timestamptz,
  queued_by        jsonb,
  cancel_requested boolean NOT NULL DEFAULT false,
  cancelled_by     jsonb,
  cancel_reason    text,
  reapplied_from   bigint REFERENCES run (id),
  comment          text,
  error_count      integer NOT NULL DEFAULT 0,
  failure_message  text,
  counts           jsonb NOT NULL DEFAULT '{}'::jsonb,   -- applied counts by action
  plan_counts      jsonb NOT NULL DEFAULT '{}'::jsonb,   -- planned counts by action (held runs too)
  plan_digest      text
);
CREATE INDEX run_created_idx ON run (created_at DESC, id DESC);
-- At most one open run: every upload lands in it, and concurrent uploads cannot open two.
CREATE UNIQUE INDEX run_one_open_idx ON run ((true)) WHERE status IN ('uploading', 'ready', 'running');

-- The files of a run, by logical name (`_control` included). Content lives in S3 under its digest.
CREATE TABLE run_file (
  run_id       bigint NOT NULL REFERENCES run (id),
  name         text NOT NULL CHECK (name ~ '^[A-Za-z0-9_-]+$'),
  digest       text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
  size         bigint NOT NULL CHECK (size >= 0),
  filename     text NOT NULL DEFAULT '',
  replaceable  boolean NOT NULL DEFAULT false,  -- the `_control` a new run inherits may be replaced once
  uploaded_at  timestamptz NOT NULL DEFAULT now(),
  uploaded_by  jsonb,
  PRIMARY KEY (run_id, name)
);

-- Every control file that became current, API uploads included (Haplo lists only portal uploads).
CREATE TABLE control_file (
  id             bigserial PRIMARY KEY,
  digest         text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
  size           bigint NOT NULL,
  expected_files text[] NOT NULL,
  has_username_rule boolean NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  uploaded_by    jsonb,
  reason         text NOT NULL DEFAULT '',
  via            text NOT NULL CHECK (via IN ('api', 'portal'))
);

-- The sync configuration: one row.
CREATE TABLE sync_config (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  config      jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  jsonb
);

-- A run's log, one row per line, so the portal can filter a million-line log by username or level.
CREATE TABLE run_log (
  run_id    bigint NOT NULL REFERENCES run (id),
  seq       integer NOT NULL,
  level     text NOT NULL CHECK (level IN ('info', 'warning', 'error')),
  username  text,
  text      text NOT NULL,
  at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX run_log_username_idx ON run_log (run_id, username) WHERE username IS NOT NULL;
CREATE INDEX run_log_level_idx ON run_log (run_id, level, seq) WHERE level <> 'info';

-- The stored plan of a run: what it will do (held) or did (applied), per user.
CREATE TABLE run_plan (
  run_id    bigint NOT NULL REFERENCES run (id),
  username  text NOT NULL,
  action    text NOT NULL CHECK (action IN ('create', 'update', 'reactivate', 'block', 'unchanged')),
  changes   jsonb NOT NULL DEFAULT '[]'::jsonb,   -- [{field, before, after}]
  PRIMARY KEY (run_id, username)
);
CREATE INDEX run_plan_action_idx ON run_plan (run_id, action, username);

-- Who did what to which run (admin or API key). The portal's audit page reads it with admin.audit.
CREATE TABLE run_audit (
  id        bigserial PRIMARY KEY,
  run_id    bigint REFERENCES run (id),
  action    text NOT NULL,
  actor     jsonb NOT NULL,
  detail    jsonb NOT NULL DEFAULT '{}'::jsonb,
  at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX run_audit_at_idx ON run_audit (at DESC);
