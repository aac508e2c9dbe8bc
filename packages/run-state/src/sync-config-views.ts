/**
 * What each consumer acts on, derived from the one {@link SyncConfig}: the apply-worker's settings,
 * the profile schema (apply, lookup, control-file checks) and the report targets (notify-worker).
 */
import { defaultProfileSchema, parseProfileSchema, type ProfileSchema } from '@usersync/control-file';
import type { ManagedGroupConfig, SyncConfig } from './sync-config.js';
import type { TimeGuards } from './sync-config-guards.js';

/** The profile schema of a configuration: the configured one, the engine's default when none is. */
export type ProfileSchemaOutcome = { ok: true; schema: ProfileSchema } | { ok: false; message: string };

export function profileSchemaOf(config: Pick<SyncConfig, 'profileAttributes'>): ProfileSchemaOutcome {
  if (config.profileAttributes.length === 0) return { ok: true, schema: defaultProfileSchema };
  const parsed = parseProfileSchema({ attributes: config.profileAttributes });
  if (parsed.ok) return parsed;
  return {
    ok: false,
    message: `Invalid profile schema in the sync configuration: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
  };
}

/** What one run is applied with (the guards over time included). */
export interface ApplySettings extends TimeGuards {
  /** Force update: every unchanged user becomes an update (Haplo updateAll). */
  updateAll: boolean;
  /** Hold when planned blocks exceed this percentage of in-feed users; null for no limit. */
  maxBlockPercent: number | null;
  /** Hold when planned blocks exceed this count; null for no limit. */
  maxBlockCount: number | null;
  /** Haplo's old behaviour (hazard H2): a user whose record is invalid is blocked. */
  blockInvalidRecords: boolean;
  managedGroups: ManagedGroupConfig[];
  profileSchema: ProfileSchema;
  /** The recycle bin's stable key ('' for none; sync-config-recycle.ts): a returning user's must match. */
  recycleStableKey: string;
}

/**
 * The apply-worker's settings. An invalid stored profile schema is an error here: guessing would
 * silently drop attributes from every user.
 */
export function applySettingsOf(config: SyncConfig): ApplySettings {
  const schema = profileSchemaOf(config);
  if (!schema.ok) throw new Error(schema.message);
  return {
    updateAll: config.updateAll,
    maxBlockPercent: config.maxBlockPercent,
    maxBlockCount: config.maxBlockCount,
    blockInvalidRecords: config.blockInvalidRecords,
    managedGroups: config.managedGroups.map((g) => ({ ...g })),
    profileSchema: schema.schema,
    maxBlocksDay: config.maxBlocksDay,
    maxBlockPercentDay: config.maxBlockPercentDay,
    maxBlocksWeek: config.maxBlocksWeek,
    maxBlockPercentWeek: config.maxBlockPercentWeek,
    maxGroupRemovals: config.maxGroupRemovals,
    maxGroupRemovalPercent: config.maxGroupRemovalPercent,
    maxBlockMedianFactor: config.maxBlockMedianFactor,
    recycleStableKey: config.recycleStableKey,
  };
}

/** One place a run report goes. */
export interface ReportTarget {
  channel: 'email' | 'webhook';
  /** Email address or endpoint URL. */
  recipient: string;
  /** Why this target cannot be delivered to (recorded as a failed delivery, never attempted). */
  invalid?: string;
}

// Looser than the save check (sync-config-rules.ts): only flags what no mail server could deliver,
// since a value saved by an older writer must still be tried.
const DELIVERABLE_EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

/**
 * Email targets, trimmed and de-duplicated case-insensitively; entries may hold commas (Haplo's field).
 * Haplo H7 fixed: an empty or blank list means no email at all.
 */
export function reportEmailTargets(reportEmails: readonly string[]): ReportTarget[] {
  const seen = new Set<string>();
  const out: ReportTarget[] = [];
  for (const address of reportEmails.flatMap((e) => e.split(',')).map((e) => e.trim())) {
    if (!address || seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    out.push(
      DELIVERABLE_EMAIL.test(address)
        ? { channel: 'email', recipient: address }
        : { channel: 'email', recipient: address, invalid: 'not an email address' },
    );
  }
  return out;
}

/** The webhook target, when an endpoint is configured. */
export function reportWebhookTargets(reportEndpoint: string): ReportTarget[] {
  const url = reportEndpoint.trim();
  if (!url) return [];
  const ok = URL.canParse(url) && /^https?:$/.test(new URL(url).protocol);
  return [
    ok ? { channel: 'webhook', recipient: url } : { channel: 'webhook', recipient: url, invalid: 'not an http(s) URL' },
  ];
}

/** Every target of a run report: the emails, then the webhook. */
export const reportTargetsOf = (config: Pick<SyncConfig, 'reportEmails' | 'reportEndpoint'>): ReportTarget[] => [
  ...reportEmailTargets(config.reportEmails),
  ...reportWebhookTargets(config.reportEndpoint),
];
