/**
 * The standard outbox table, created in every owner schema by the migration runner (db/migration-runner.ts)
 * as built-in version 000 before the owner's own files. Like any applied migration, this SQL must never
 * be edited once released: its checksum is recorded, and a change would make every runner refuse to
 * start. Change the table with a new built-in migration instead.
 */

/** A migration that ships inside the platform library rather than in a service's folder. */
export interface BuiltInMigration {
  version: number;
  name: string;
  sql: string;
}

/** Version 000 in every owner schema: the transactional outbox (runs with search_path = owner). */
export const OUTBOX_MIGRATION: BuiltInMigration = {
  version: 0,
  name: 'platform_outbox',
  sql: `
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  subject text NOT NULL,
  payload bytea NOT NULL,
  headers jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
-- The relay only ever reads unsent rows in id order; sent rows stay for audit and can be pruned.
CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;
`,
};
