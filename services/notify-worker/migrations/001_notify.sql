-- Schema `notify`, owned by notify-worker: one row per report it must deliver (an email to one
-- address, or the webhook POST). Run ids are plain numbers (no cross-schema foreign keys).

-- A delivery: the unique key makes a redelivered event find its row instead of sending again.
CREATE TABLE delivery (
  id            bigserial PRIMARY KEY,
  run_id        bigint NOT NULL,
  -- the event that first asked for this delivery
  event_id      text NOT NULL,
  event_kind    text NOT NULL CHECK (event_kind IN ('completed', 'failed', 'held', 'cancelled')),
  channel       text NOT NULL CHECK (channel IN ('email', 'webhook')),
  -- an email address, or the endpoint URL
  recipient     text NOT NULL,
  -- pending: not delivered yet (retrying); failed: given up, last_error says why
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  delivered_at  timestamptz,
  UNIQUE (run_id, event_kind, channel, recipient)
);
CREATE INDEX delivery_run_idx ON delivery (run_id, id);
