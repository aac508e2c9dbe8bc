-- Schema `admin` (owner: web): portal accounts, server-side sessions, login attempts for rate
-- limiting (in the database so every replica sees the same counts) and the audit log.
-- The runner sets search_path to `admin`, so names are unqualified.

CREATE TABLE admin_account (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Stored lower-cased by the application; the unique index makes the case rule hold in SQL too.
  email         text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  -- scrypt$N$r$p$salt$hash (base64url); never a plain password.
  password_hash text NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz,
  disabled      boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX admin_account_email_key ON admin_account (email);

-- id is the SHA-256 (hex) of the random cookie token: a leaked table does not yield live cookies.
CREATE TABLE session (
  id           text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  admin_id     uuid NOT NULL REFERENCES admin_account (id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  -- Absolute expiry; idle expiry is last_seen_at + the configured idle timeout.
  expires_at   timestamptz NOT NULL,
  ip           text,
  user_agent   text
);
CREATE INDEX session_admin_id_idx ON session (admin_id);
CREATE INDEX session_expires_at_idx ON session (expires_at);

-- One row per failed login (successes clear the account's rows). Counted over a sliding window
-- per account (email as typed, lower-cased) and per client IP.
CREATE TABLE login_attempt (
  id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at    timestamptz NOT NULL DEFAULT now(),
  email text NOT NULL,
  ip    text NOT NULL
);
CREATE INDEX login_attempt_email_at_idx ON login_attempt (email, at);
CREATE INDEX login_attempt_ip_at_idx ON login_attempt (ip, at);
CREATE INDEX login_attempt_at_idx ON login_attempt (at);

-- Who did what to which target, when and from where. Append-only.
CREATE TABLE audit (
  id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at     timestamptz NOT NULL DEFAULT now(),
  -- {kind: 'admin'|'api_key'|'system'|'anonymous', id, displayName}
  actor  jsonb NOT NULL,
  action text NOT NULL,
  target text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  ip     text
);
CREATE INDEX audit_at_idx ON audit (at DESC, id DESC);
