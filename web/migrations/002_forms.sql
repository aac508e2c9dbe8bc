-- Forms that survive a reload or an expired session (issue 17 item 3).

-- A value shown exactly once (a new API key's secret), between the POST that made it and the GET page
-- that shows it: the POST redirects, so a reload of the page can never repeat the action. Bound to the
-- session (row) and sealed with a key derived from the session's cookie token, which the database
-- never holds: a copy of this table reveals no secret. `sealed` is cleared when the page is shown.
CREATE TABLE shown_once (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id  text NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  -- what it belongs to, e.g. `api_key:<uuid>`
  subject     text NOT NULL,
  -- AES-256-GCM: 12-byte IV, 16-byte tag, ciphertext; NULL once shown
  sealed      bytea,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  shown_at    timestamptz
);
CREATE INDEX shown_once_expires_at_idx ON shown_once (expires_at);

-- A form posted after its session expired, kept for a short time so that after signing in again the
-- admin returns to it with what they typed. id is the SHA-256 (hex) of a random cookie token. Never
-- holds passwords, secrets or CSRF tokens (the portal drops those fields before storing).
CREATE TABLE form_stash (
  id          text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  -- the page to return to (a same-site path) and where the form was posted
  return_to   text NOT NULL,
  posted_to   text NOT NULL,
  -- the posted fields, or NULL when they could not be kept: `lost` says why
  fields      jsonb,
  lost        text CHECK (lost IN ('upload', 'too_large')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX form_stash_expires_at_idx ON form_stash (expires_at);
