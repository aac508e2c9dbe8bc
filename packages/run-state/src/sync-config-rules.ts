/**
 * The sync configuration on the wire (RunService GetConfig / UpdateConfig) and the strict check of an
 * update: every bad field is reported with its proto path (`report_emails[2]`, `managed_groups[0].code`),
 * which the portal maps back to its form fields.
 */
import type { runsV1 } from '@usersync/contracts';
import { ValidationError } from '@usersync/platform';
import { parseProfileSchema } from '@usersync/control-file';
import type { SyncConfig } from './sync-config.js';
import { timeGuardErrors, timeGuardsFromProto, timeGuardsToProto } from './sync-config-guards.js';
import { recycleErrors, recycleFromProto, recycleToProto } from './sync-config-recycle.js';

/** The error code of a rejected configuration. */
export const SYNC_CONFIG_INVALID = 'RUN_BAD_CONFIG';

/** One problem of a configuration update. */
export interface ConfigFieldError {
  /** Proto field path, e.g. `managed_groups[1].name`. */
  path: string;
  message: string;
}

// Deliberately simple: one @, no spaces, a dot in the domain. Mail servers do the rest.
const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>".]+$/;
const GROUP_CODE = /^[A-Za-z0-9][A-Za-z0-9:_.-]*$/;

/** Stored values → proto (unset limits stay unset). */
export function configToProto(c: SyncConfig): runsV1.SyncConfig {
  return {
    autoApply: c.autoApply,
    updateAll: c.updateAll,
    reportEmails: [...c.reportEmails],
    reportEndpoint: c.reportEndpoint,
    maxBlockPercent: c.maxBlockPercent ?? undefined,
    maxBlockCount: c.maxBlockCount ?? undefined,
    supersedeHeldRuns: c.supersedeHeldRuns,
    blockInvalidRecords: c.blockInvalidRecords,
    managedGroups: c.managedGroups.map((g) => ({ ...g })),
    profileAttributes: c.profileAttributes.map((a) => ({ ...a })),
    ...timeGuardsToProto(c),
    ...recycleToProto(c),
  };
}

/** True for an absolute http(s) URL with a host. */
export function isHttpUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}

/** Every problem of a proposed configuration (after trimming); [] when it may be saved. */
export function syncConfigErrors(p: runsV1.SyncConfig): ConfigFieldError[] {
  const errors: ConfigFieldError[] = [];
  const fail = (path: string, message: string) => errors.push({ path, message });
  p.reportEmails
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .forEach((e, i) => {
      if (!EMAIL.test(e)) fail(`report_emails[${i}]`, `"${e}" is not a valid email address`);
    });
  const endpoint = p.reportEndpoint.trim();
  if (endpoint && !isHttpUrl(endpoint))
    fail('report_endpoint', 'Reporting endpoint must be an http:// or https:// URL');
  const percent = p.maxBlockPercent;
  if (percent !== undefined && !(Number.isFinite(percent) && percent >= 0 && percent <= 100)) {
    fail('max_block_percent', 'Maximum block percentage must be between 0 and 100');
  }
  const count = p.maxBlockCount;
  if (count !== undefined && !(Number.isInteger(count) && count >= 0)) {
    fail('max_block_count', 'Maximum block count must be a whole number of 0 or more');
  }
  const codes = new Set<string>();
  p.managedGroups.forEach((g, i) => {
    if (!GROUP_CODE.test(g.code))
      fail(`managed_groups[${i}].code`, `Group code "${g.code}" must match ${GROUP_CODE.source}`);
    else if (codes.has(g.code)) fail(`managed_groups[${i}].code`, `Group code "${g.code}" is listed twice`);
    codes.add(g.code);
    if (g.name.trim() === '') fail(`managed_groups[${i}].name`, `Group "${g.code}" needs a name`);
  });
  errors.push(...timeGuardErrors(p));
  errors.push(
    ...recycleErrors(
      p,
      p.profileAttributes.map((a) => a.code),
    ),
  );
  if (p.profileAttributes.length > 0) {
    const schema = parseProfileSchema({ attributes: p.profileAttributes });
    if (!schema.ok) {
      for (const e of schema.errors) fail(e.path.replace(/^\$\.attributes/, 'profile_attributes'), e.message);
    }
  }
  return errors;
}

/**
 * Validates a whole new configuration and returns it as stored; throws a ValidationError listing every
 * bad field (message: the problems joined, details: `{path, message}` each).
 */
export function configFromProto(p: runsV1.SyncConfig | undefined): SyncConfig {
  if (!p) throw new ValidationError(SYNC_CONFIG_INVALID, 'config is required');
  const errors = syncConfigErrors(p);
  if (errors.length > 0) {
    throw new ValidationError(
      SYNC_CONFIG_INVALID,
      `Invalid configuration: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      errors,
    );
  }
  return {
    autoApply: p.autoApply,
    updateAll: p.updateAll,
    reportEmails: p.reportEmails.map((e) => e.trim()).filter((e) => e !== ''),
    reportEndpoint: p.reportEndpoint.trim(),
    maxBlockPercent: p.maxBlockPercent ?? null,
    maxBlockCount: p.maxBlockCount ?? null,
    supersedeHeldRuns: p.supersedeHeldRuns,
    blockInvalidRecords: p.blockInvalidRecords,
    managedGroups: p.managedGroups.map((g) => ({ code: g.code, name: g.name.trim() })),
    profileAttributes: p.profileAttributes.map((a) => ({
      code: a.code,
      label: a.label,
      type: a.type,
      multivalue: a.multivalue,
    })),
    ...timeGuardsFromProto(p),
    ...recycleFromProto(p),
  };
}
