/**
 * The part of the sync configuration the apply-worker acts on, read defensively: the stored jsonb
 * may come from an older or newer writer, so every key falls back to its default when absent or of
 * the wrong type.
 */
import { defaultProfileSchema, parseProfileSchema, type ProfileSchema } from '@usersync/control-file';

/** A managed group: the sync sets its memberships exactly from the feed. */
export interface ManagedGroup {
  code: string;
  name: string;
}

/** What one run is applied with. */
export interface ApplySettings {
  /** Force update: every unchanged user becomes an update (Haplo updateAll). */
  updateAll: boolean;
  /** Hold when planned blocks exceed this percentage of in-feed users; null for no limit. */
  maxBlockPercent: number | null;
  /** Hold when planned blocks exceed this count; null for no limit. */
  maxBlockCount: number | null;
  /** Haplo's old behaviour (hazard H2): a user whose record is invalid is blocked. */
  blockInvalidRecords: boolean;
  managedGroups: ManagedGroup[];
  profileSchema: ProfileSchema;
}

const DEFAULTS = { maxBlockPercent: 10, maxBlockCount: 500 };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function limit(value: unknown, fallback: number): number | null {
  if (value === null) return null;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

function groups(value: unknown): ManagedGroup[] {
  if (!Array.isArray(value)) return [];
  const seen = new Set<string>();
  const out: ManagedGroup[] = [];
  for (const g of value) {
    const code = isObject(g) ? g.code : g;
    if (typeof code !== 'string' || code === '' || seen.has(code)) continue;
    seen.add(code);
    const name = isObject(g) && typeof g.name === 'string' && g.name !== '' ? g.name : code;
    out.push({ code, name });
  }
  return out;
}

/**
 * The profile schema: `profileSchema` ({attributes}) or `profileAttributes` ([...]); the engine's
 * default when neither is set. An invalid stored schema is an error: guessing would silently drop
 * attributes from every user.
 */
function profileSchemaOf(config: Record<string, unknown>): ProfileSchema {
  const raw = isObject(config.profileSchema)
    ? config.profileSchema
    : Array.isArray(config.profileAttributes) && config.profileAttributes.length > 0
      ? { attributes: config.profileAttributes }
      : undefined;
  if (raw === undefined) return defaultProfileSchema;
  const parsed = parseProfileSchema(raw);
  if (!parsed.ok) {
    throw new Error(
      `Invalid profile schema in the sync configuration: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  }
  return parsed.schema;
}

/** Reads the settings from the stored configuration object (any shape). */
export function applySettingsFrom(config: unknown): ApplySettings {
  const c = isObject(config) ? config : {};
  return {
    updateAll: c.updateAll === true,
    maxBlockPercent: limit(c.maxBlockPercent, DEFAULTS.maxBlockPercent),
    maxBlockCount: limit(c.maxBlockCount, DEFAULTS.maxBlockCount),
    blockInvalidRecords: c.blockInvalidRecords === true,
    managedGroups: groups(c.managedGroups),
    profileSchema: profileSchemaOf(c),
  };
}
