-- What the stored desired-state digests were last verified under: the transform fingerprint (control file,
-- profile schema, managed groups, engine version, year) of the last run that completed. After such a run every
-- in-feed user without the error flag has desired_digest = the digest its last raw record gives under that
-- fingerprint, so a later run with the same fingerprint can skip transforming a record whose raw digest is
-- still the stored one (pipeline/transform-stage.ts). One row; written in the applying transaction.
CREATE TABLE sync_state (
  id                     boolean PRIMARY KEY DEFAULT true CHECK (id),
  transform_fingerprint  text NOT NULL,
  run_id                 bigint NOT NULL,
  updated_at             timestamptz NOT NULL DEFAULT now()
);
