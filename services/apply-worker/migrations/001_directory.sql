-- Schema `directory`, owned by apply-worker: the user directory the sync keeps in step with the feed.
-- lookup-service reads it (and may set a user's error flag). Runs live in schema `runs`; run ids here
-- are plain numbers (no cross-schema foreign keys, so each owner migrates on its own).

-- A user account. `managed`: the sync owns it (created by it, or taken over when it appeared in the feed).
CREATE TABLE "user" (
  id             bigserial PRIMARY KEY,
  username       text NOT NULL UNIQUE CHECK (username = lower(username) AND username <> ''),
  title          text,
  name_first     text NOT NULL DEFAULT '',
  name_last      text NOT NULL DEFAULT '',
  email          text NOT NULL DEFAULT '',
  active         boolean NOT NULL DEFAULT true,
  in_feed        boolean NOT NULL DEFAULT false,
  -- an error was attributed to the user in the last run that saw them: re-applied next run (Haplo §3.3)
  error          boolean NOT NULL DEFAULT false,
  managed        boolean NOT NULL DEFAULT true,
  tags           jsonb NOT NULL DEFAULT '{}'::jsonb,
  profile        jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- sha256 of the canonical desired state last applied (control-file desiredStateDigest)
  desired_digest text,
  -- the last run that changed this user
  last_run_id    bigint,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_email_idx ON "user" (lower(email));
-- The block phase scans exactly these rows.
CREATE INDEX user_in_feed_idx ON "user" (username) WHERE managed AND in_feed;

-- A group. Managed groups are declared in the sync config; others may exist for manual memberships.
CREATE TABLE "group" (
  code     text PRIMARY KEY,
  name     text NOT NULL,
  managed  boolean NOT NULL DEFAULT false
);

-- A membership, by who made it: the sync only ever removes rows whose source is 'sync' (fixes Haplo §3.4),
-- so a manual membership in the same group survives every run.
CREATE TABLE membership (
  user_id     bigint NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
  group_code  text NOT NULL REFERENCES "group" (code),
  source      text NOT NULL CHECK (source IN ('sync', 'manual')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, group_code, source)
);
CREATE INDEX membership_group_idx ON membership (group_code);

-- The last raw record received for each user (Haplo's lastUserData), with the run it came from.
CREATE TABLE last_record (
  user_id        bigint PRIMARY KEY REFERENCES "user" (id) ON DELETE CASCADE,
  run_id         bigint NOT NULL,
  record         jsonb NOT NULL,
  -- sha256 of the raw record JSON: an unchanged record is not rewritten on every run
  record_digest  text NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per change a run made to a user, with field-level before/after.
CREATE TABLE history (
  id       bigserial PRIMARY KEY,
  run_id   bigint NOT NULL,
  user_id  bigint NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
  action   text NOT NULL CHECK (action IN ('create', 'update', 'reactivate', 'block')),
  changes  jsonb NOT NULL DEFAULT '[]'::jsonb,   -- [{field, before, after}]
  at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX history_user_idx ON history (user_id, id);
CREATE INDEX history_run_idx ON history (run_id);

-- Live progress of the run being processed, written outside the apply transaction so the portal
-- sees it while the run is running.
CREATE TABLE run_progress (
  run_id      bigint PRIMARY KEY,
  phase       text NOT NULL,
  processed   bigint NOT NULL DEFAULT 0,
  started_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Field-level differences between two user states ({title, nameFirst, nameLast, email, groups, active,
-- inFeed, tags{}, profile{}}; `cur` NULL for a new user), as [{field, before, after}] sorted by field.
-- Tags and profile attributes compare key by key: `tags.<key>`, `profile.<code>`.
CREATE FUNCTION field_changes(cur jsonb, des jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('field', c.f, 'before', c.b, 'after', c.a) ORDER BY c.f), '[]'::jsonb)
  FROM (
    SELECT k AS f, coalesce(cur -> k, 'null'::jsonb) AS b, coalesce(des -> k, 'null'::jsonb) AS a
    FROM unnest(ARRAY['title', 'nameFirst', 'nameLast', 'email', 'groups', 'active', 'inFeed']) AS k
    UNION ALL
    SELECT p || '.' || ks.k, coalesce(cur -> p -> ks.k, 'null'::jsonb), coalesce(des -> p -> ks.k, 'null'::jsonb)
    FROM unnest(ARRAY['tags', 'profile']) AS p,
         LATERAL (SELECT jsonb_object_keys(coalesce(cur -> p, '{}'::jsonb))
                  UNION SELECT jsonb_object_keys(coalesce(des -> p, '{}'::jsonb))) AS ks(k)
  ) AS c
  WHERE c.b IS DISTINCT FROM c.a
$$;
