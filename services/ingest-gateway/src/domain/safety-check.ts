import type { HoldReason } from '@usersync/run-state';

/** A file as the safety check sees it. */
export interface SizedFile {
  name: string;
  size: number;
}

/** Haplo's limit: a size change of more than 10% in either direction needs manual apply. */
export const MAX_SIZE_RATIO = 1.1;

/**
 * Haplo's auto-apply safety check (`unsafeFileSizeDifference`, reference §1.6), compared with the
 * last *applied* run rather than the last created one (hazard H3). Returns the hold reason, or null
 * when the run may apply on its own. Files that disappeared do not count, as in Haplo.
 */
export function safetyHold(current: readonly SizedFile[], lastApplied: readonly SizedFile[] | null): HoldReason | null {
  if (!lastApplied) return 'first_run';
  const previous = new Map(lastApplied.map((f) => [f.name, f.size]));
  for (const file of current) {
    const before = previous.get(file.name);
    if (before === undefined) return 'files_too_different';
    if (file.size > MAX_SIZE_RATIO * before || before > MAX_SIZE_RATIO * file.size) return 'files_too_different';
  }
  return null;
}

/** The detail shown with a file-check hold: which file made the run unsafe. */
export function safetyDetail(current: readonly SizedFile[], lastApplied: readonly SizedFile[] | null): string {
  if (!lastApplied) return 'No run has been applied before this one.';
  const previous = new Map(lastApplied.map((f) => [f.name, f.size]));
  const reasons: string[] = [];
  for (const file of current) {
    const before = previous.get(file.name);
    if (before === undefined) reasons.push(`${file.name} is new`);
    else if (file.size > MAX_SIZE_RATIO * before || before > MAX_SIZE_RATIO * file.size)
      reasons.push(`${file.name} changed size from ${before} to ${file.size} bytes`);
  }
  return reasons.join('; ');
}
