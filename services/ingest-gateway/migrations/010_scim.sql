-- Schema `scim`, owned by ingest-gateway (its second schema, migrated with `runs`): the SCIM source's
-- desired state. A SCIM request changes these rows at once, so a client reads back what it wrote; the
-- directory follows through runs of the `scim` source, with the same planner, holds and history as a
-- file feed.
CREATE SCHEMA IF NOT EXISTS scim;

-- A SCIM User. `resource` is the canonical stored form (@usersync/scim normalizeResource: no id, meta or
-- groups); the columns beside it are what filters and uniqueness need to be fast.
CREATE TABLE scim."user" (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_name     text NOT NULL CHECK (user_name <> ''),
  external_id   text,
  display_name  text,
  active        boolean NOT NULL DEFAULT true,
  -- every emails[].value, lower-cased: `emails.value eq` and `emails co` use it
  email_values  text[] NOT NULL DEFAULT '{}',
  resource      jsonb NOT NULL,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- userName is unique case-insensitively (RFC 7643 §4.1.1: caseExact false, uniqueness server).
CREATE UNIQUE INDEX user_user_name_key ON scim."user" (lower(user_name));
CREATE INDEX user_user_name_prefix_idx ON scim."user" (lower(user_name) text_pattern_ops);
CREATE INDEX user_external_id_idx ON scim."user" (external_id);
CREATE INDEX user_email_values_idx ON scim."user" USING gin (email_values);
CREATE INDEX user_created_idx ON scim."user" (created_at, id);

-- A SCIM Group; it becomes a managed group of the directory. displayName is unique case-insensitively,
-- because it names the directory group.
CREATE TABLE scim."group" (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  display_name  text NOT NULL CHECK (display_name <> ''),
  external_id   text,
  resource      jsonb NOT NULL,           -- canonical, without members (they are rows of scim.member)
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX group_display_name_key ON scim."group" (lower(display_name));
CREATE INDEX group_external_id_idx ON scim."group" (external_id);
CREATE INDEX group_created_idx ON scim."group" (created_at, id);

-- A user's direct membership of a group (members of type User; nested groups are refused).
CREATE TABLE scim.member (
  group_id  uuid NOT NULL REFERENCES scim."group" (id) ON DELETE CASCADE,
  user_id   uuid NOT NULL REFERENCES scim."user" (id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX member_user_idx ON scim.member (user_id);

-- One row per change to the SCIM source's desired state (append-only, so concurrent writers never wait
-- on one another). The run batcher deletes the rows it has seen, in the transaction that snapshots the
-- state, and opens a run when it deleted any; rows committed later wait for the next window.
CREATE TABLE scim.change (
  id  bigserial PRIMARY KEY,
  at  timestamptz NOT NULL DEFAULT now()
);

-- The SCIM source as a whole: when a client last changed it (for the portal), kept by the batcher.
CREATE TABLE scim.source_state (
  id               boolean PRIMARY KEY DEFAULT true CHECK (id),
  last_change_at   timestamptz
);
INSERT INTO scim.source_state DEFAULT VALUES;
