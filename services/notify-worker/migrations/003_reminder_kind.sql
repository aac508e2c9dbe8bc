-- A run held longer than NOTIFY_HELD_REMINDER_HOURS gets one reminder email per address: recorded as a
-- delivery of kind `reminder` (event id `reminder:<run id>`), so each is sent once per run, with two
-- replicas too.
ALTER TABLE delivery DROP CONSTRAINT delivery_event_kind_check;
ALTER TABLE delivery ADD CONSTRAINT delivery_event_kind_check
  CHECK (event_kind IN ('completed', 'failed', 'held', 'cancelled', 'reminder'));
