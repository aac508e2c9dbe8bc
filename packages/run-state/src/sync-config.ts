import type { Queryable, StoredActor } from './run.repository.js';

/** A group whose memberships the sync manages. */
export interface ManagedGroupConfig {
  code: string;
  name: string;
}

/** One attribute of the profile schema (control-file destination `profile`). */
export interface ProfileAttributeConfig {
  code: string;
  label: string;
  type: string;
  multivalue: boolean;
}

/**
 * The sync configuration as stored in `runs.sync_config.config` (jsonb). ingest-gateway writes it
 * (RunService UpdateConfig); the workers read it with {@link loadSyncConfig}.
 */
export interface SyncConfigValues {
  /** Apply ready runs on start-sync without an admin (Haplo autoApply). */
  autoApply: boolean;
  /** Force update: every unchanged user is updated (Haplo updateAll). */
  updateAll: boolean;
  reportEmails: string[];
  /** URL for the signed report POST; '' for none. */
  reportEndpoint: string;
  /** null: no limit. */
  maxBlockPercent: number | null;
  /** null: no limit. */
  maxBlockCount: number | null;
  /** A new upload cancels a held ready run instead of being rejected. */
  supersedeHeldRuns: boolean;
  /** Block users whose record fails validation (Haplo hazard H2); off leaves them untouched. */
  blockInvalidRecords: boolean;
  managedGroups: ManagedGroupConfig[];
  /** Empty: the control-file engine's default profile schema. */
  profileAttributes: ProfileAttributeConfig[];
}

/** The configuration before anyone saved one (DESIGN §3, issue 5). */
export const DEFAULT_SYNC_CONFIG: Readonly<SyncConfigValues> = Object.freeze({
  autoApply: true,
  updateAll: false,
  reportEmails: [],
  reportEndpoint: '',
  maxBlockPercent: 10,
  maxBlockCount: 500,
  supersedeHeldRuns: true,
  blockInvalidRecords: false,
  managedGroups: [],
  profileAttributes: [],
});

/** The stored configuration with who saved it; defaults (and null stamps) when never saved. */
export interface StoredSyncConfig {
  config: SyncConfigValues;
  updatedAt: Date | null;
  updatedBy: StoredActor | null;
}

/** Reads the sync configuration; fields missing from an older stored value take their defaults. */
export async function loadSyncConfig(db: Queryable): Promise<StoredSyncConfig> {
  const { rows } = await db.query('SELECT config, updated_at, updated_by FROM runs.sync_config WHERE id');
  const row = rows[0] as { config: Partial<SyncConfigValues>; updated_at: Date; updated_by: StoredActor } | undefined;
  if (!row) return { config: { ...DEFAULT_SYNC_CONFIG }, updatedAt: null, updatedBy: null };
  return { config: { ...DEFAULT_SYNC_CONFIG, ...row.config }, updatedAt: row.updated_at, updatedBy: row.updated_by };
}
