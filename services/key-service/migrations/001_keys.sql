-- Schema `keys`, owned by key-service. A key's secret is never stored: only its SHA-256 hash (to look
-- it up when presented) and a short display prefix (so admins can tell keys apart).

-- An API key for upload scripts and integrations.
CREATE TABLE api_key (
  id             uuid PRIMARY KEY,
  name           text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  -- `usk_` plus the first characters of the random part: identifies, cannot authenticate
  display_prefix text NOT NULL,
  -- SHA-256 of the full secret (prefix included); the lookup key of VerifyKey
  secret_hash    bytea NOT NULL UNIQUE CHECK (octet_length(secret_hash) = 32),
  scopes         text[] NOT NULL CHECK (cardinality(scopes) > 0),
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     jsonb NOT NULL,              -- {kind, id, displayName}
  expires_at     timestamptz,
  revoked_at     timestamptz,
  revoked_by     jsonb,                       -- {kind, id, displayName}
  last_used_at   timestamptz,
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX api_key_created_idx ON api_key (created_at DESC, id DESC);

-- Every create and revoke with who did it; the portal's audit page reads it.
CREATE TABLE key_audit (
  id      bigserial PRIMARY KEY,
  key_id  uuid NOT NULL REFERENCES api_key (id),
  action  text NOT NULL CHECK (action IN ('create', 'revoke')),
  actor   jsonb NOT NULL,                     -- {kind, id, displayName}
  at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX key_audit_key_idx ON key_audit (key_id, at);
CREATE INDEX key_audit_at_idx ON key_audit (at DESC, id DESC);
