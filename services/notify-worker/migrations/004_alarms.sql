-- Silence and mismatch alarms (issue 18). An alarm is raised once per occurrence (`key`: the kind and what it is
-- about, e.g. `no_upload:<last upload time>` or `count_mismatch:<run id>`), delivered like a report (email and
-- signed webhook, one delivery row per target with event id `alarm:<key>`), shown on the portal's dashboard
-- while active, and cleared when the condition ends (an upload arrived, a run succeeded, an admin looked).
CREATE TABLE alarm (
  id          bigserial PRIMARY KEY,
  key         text NOT NULL UNIQUE,
  kind        text NOT NULL CHECK (kind IN ('no_upload', 'no_success', 'count_mismatch')),
  run_id      bigint,
  detail      text NOT NULL,
  raised_at   timestamptz NOT NULL,
  cleared_at  timestamptz
);
CREATE INDEX alarm_active_idx ON alarm (raised_at DESC) WHERE cleared_at IS NULL;

-- A silence alarm is about no run: its deliveries have none.
ALTER TABLE delivery ALTER COLUMN run_id DROP NOT NULL;
ALTER TABLE delivery DROP CONSTRAINT delivery_event_kind_check;
ALTER TABLE delivery ADD CONSTRAINT delivery_event_kind_check
  CHECK (event_kind IN ('completed', 'failed', 'held', 'cancelled', 'reminder', 'alarm'));
