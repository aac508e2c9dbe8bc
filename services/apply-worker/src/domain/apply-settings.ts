/**
 * The part of the sync configuration the apply-worker acts on. The type, defaults and lenient reading
 * of the stored jsonb live once in @usersync/run-state; this is the worker's name for that derivation.
 */
import { applySettingsOf, parseStoredSyncConfig, type ApplySettings } from '@usersync/run-state';

export type { ApplySettings } from '@usersync/run-state';
/** A managed group: the sync sets its memberships exactly from the feed. */
export type { ManagedGroupConfig as ManagedGroup } from '@usersync/run-state';

/** Reads the settings from the stored configuration object (any shape: wrong-typed keys take defaults). */
export function applySettingsFrom(config: unknown): ApplySettings {
  return applySettingsOf(parseStoredSyncConfig(config));
}
