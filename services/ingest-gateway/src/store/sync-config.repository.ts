/** Saving runs.sync_config (one row); reading is `loadSyncConfig` in @usersync/run-state. */
import type { Queryable, StoredActor, SyncConfigValues } from '@usersync/run-state';

/** Replaces the stored configuration. */
export async function saveSyncConfig(db: Queryable, config: SyncConfigValues, by: StoredActor): Promise<void> {
  await db.query(
    `INSERT INTO runs.sync_config (id, config, updated_at, updated_by) VALUES (true, $1, now(), $2)
     ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [JSON.stringify(config), JSON.stringify(by)],
  );
}

/** Locks the configuration row (if any) so concurrent saves audit the right "before". */
export async function lockSyncConfig(db: Queryable): Promise<void> {
  await db.query('SELECT 1 FROM runs.sync_config WHERE id FOR UPDATE');
}
