/**
 * The sync configuration: the one type, the one set of defaults, and the lenient reader of the stored
 * jsonb (runs.sync_config). Updates are checked strictly by sync-config-rules.ts; what each consumer
 * acts on is derived in sync-config-views.ts.
 */
import type { Actor } from '@usersync/platform';
import type { Queryable } from './run.repository.js';
import { DEFAULT_TIME_GUARDS, parseTimeGuards, type TimeGuards } from './sync-config-guards.js';
import { DEFAULT_RECYCLE, parseRecycle, type RecycleSettings } from './sync-config-recycle.js';

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

/** The sync configuration as stored in `runs.sync_config.config` (jsonb) and used everywhere. */
export interface SyncConfig extends TimeGuards, RecycleSettings {
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
/** The former name, kept for importers. */
export type SyncConfigValues = SyncConfig;

/** The configuration before anyone saved one (DESIGN §3, issue 5). */
export const DEFAULT_SYNC_CONFIG: Readonly<SyncConfig> = Object.freeze({
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
  ...DEFAULT_TIME_GUARDS,
  ...DEFAULT_RECYCLE,
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function limit(v: unknown, fallback: number | null): number | null {
  if (v === null) return null;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** Groups as objects or bare codes; blank and repeated codes dropped, a missing name is the code. */
function groups(v: unknown): ManagedGroupConfig[] {
  if (!Array.isArray(v)) return [];
  const seen = new Set<string>();
  const out: ManagedGroupConfig[] = [];
  for (const g of v) {
    const code = isObject(g) ? g.code : g;
    if (typeof code !== 'string' || code === '' || seen.has(code)) continue;
    seen.add(code);
    const name = isObject(g) && typeof g.name === 'string' && g.name !== '' ? g.name : code;
    out.push({ code, name });
  }
  return out;
}

/**
 * Attributes from `profileSchema.attributes` (an older writer's shape) or `profileAttributes`. Their
 * fields are kept as found (wrong types as ''), not repaired: the profile-schema view must still see
 * an invalid schema as invalid rather than silently dropping attributes.
 */
function attributes(c: Record<string, unknown>): ProfileAttributeConfig[] {
  const raw =
    isObject(c.profileSchema) && Array.isArray(c.profileSchema.attributes)
      ? c.profileSchema.attributes
      : c.profileAttributes;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((a) => ({
    code: text(a.code),
    label: text(a.label),
    type: text(a.type),
    multivalue: a.multivalue === true,
  }));
}

/**
 * Reads a stored configuration of any shape: the stored jsonb may come from an older or newer writer,
 * so each key that is absent or of the wrong type takes its default.
 */
export function parseStoredSyncConfig(stored: unknown): SyncConfig {
  const c = isObject(stored) ? stored : {};
  const d = DEFAULT_SYNC_CONFIG;
  return {
    autoApply: bool(c.autoApply, d.autoApply),
    updateAll: bool(c.updateAll, d.updateAll),
    reportEmails: Array.isArray(c.reportEmails) ? c.reportEmails.filter((e) => typeof e === 'string') : [],
    reportEndpoint: text(c.reportEndpoint),
    maxBlockPercent: limit(c.maxBlockPercent, d.maxBlockPercent),
    maxBlockCount: limit(c.maxBlockCount, d.maxBlockCount),
    supersedeHeldRuns: bool(c.supersedeHeldRuns, d.supersedeHeldRuns),
    blockInvalidRecords: bool(c.blockInvalidRecords, d.blockInvalidRecords),
    managedGroups: groups(c.managedGroups),
    profileAttributes: attributes(c),
    ...parseTimeGuards(c),
    ...parseRecycle(c),
  };
}

/** The stored configuration with who saved it; defaults (and null stamps) when never saved. */
export interface StoredSyncConfig {
  config: SyncConfig;
  updatedAt: Date | null;
  updatedBy: Actor | null;
}

/** Reads the sync configuration (see {@link parseStoredSyncConfig}). */
export async function loadSyncConfig(db: Queryable): Promise<StoredSyncConfig> {
  const { rows } = await db.query('SELECT config, updated_at, updated_by FROM runs.sync_config WHERE id');
  const row = rows[0] as { config: unknown; updated_at: Date; updated_by: Actor } | undefined;
  if (!row) return { config: parseStoredSyncConfig(undefined), updatedAt: null, updatedBy: null };
  return { config: parseStoredSyncConfig(row.config), updatedAt: row.updated_at, updatedBy: row.updated_by };
}

/** Replaces the stored configuration (validate it first: sync-config-rules.ts). */
export async function saveSyncConfig(db: Queryable, config: SyncConfig, by: Actor): Promise<void> {
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
