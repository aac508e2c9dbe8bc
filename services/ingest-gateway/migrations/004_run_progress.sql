-- Live progress of the run being applied (moved here from the apply worker's directory.run_progress: the run's
-- owner keeps it). The apply worker writes it through run-state outside its apply transaction, so the portal sees
-- it while the run is running; GetRun reads it. Nothing is copied: progress only matters while a run runs.
CREATE TABLE run_progress (
  run_id      bigint PRIMARY KEY,
  phase       text NOT NULL,
  processed   bigint NOT NULL DEFAULT 0,
  started_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
