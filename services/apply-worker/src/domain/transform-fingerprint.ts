/**
 * What a record's desired state depends on besides the record itself: the control file (by content
 * digest), the profile schema, the managed groups (unknown groups are dropped from a desired state) and
 * the engine's DESIRED_STATE_VERSION, and the current year (the one clock the engine reads: two-digit
 * years are placed within 80 years before and 20 after it). Two runs with the same fingerprint turn the
 * same record into the same desired state, which is what lets a run skip transforming records unchanged
 * since the last one.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, DESIRED_STATE_VERSION, type ProfileSchema } from '@usersync/control-file';
import type { ManagedGroup } from './apply-settings.js';

export function transformFingerprint(
  controlFileDigest: string,
  settings: { profileSchema: ProfileSchema; managedGroups: readonly ManagedGroup[] },
  now: Date = new Date(),
): string {
  const inputs = {
    engine: DESIRED_STATE_VERSION,
    year: now.getUTCFullYear(),
    controlFile: controlFileDigest,
    profileSchema: settings.profileSchema,
    managedGroups: settings.managedGroups.map((g) => g.code).sort(),
  };
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex');
}
