/**
 * Guards over time (issue 18): limits a single run's block threshold cannot see. A bad change spread over
 * several uploads (each under the per-run limit) still holds once the blocks applied in the last 24 hours or
 * 7 days plus this run's would pass a limit; membership removals are limited per group; and a run may be held
 * when it blocks far more than recent runs did (a multiple of their median). Every limit is off (null) unless
 * configured, so existing installations behave as before. Part of {@link SyncConfig}; read leniently, updated
 * strictly with one message per proto field path, like every other setting.
 */
import type { runsV1 } from '@usersync/contracts';

/** The guard settings, as stored and used (null: no limit). */
export interface TimeGuards {
  /** Most blocks in any rolling 24 hours (this run's planned blocks included). */
  maxBlocksDay: number | null;
  /** The same, as a percentage of the users in the feed before the run. */
  maxBlockPercentDay: number | null;
  /** Most blocks in any rolling 7 days. */
  maxBlocksWeek: number | null;
  maxBlockPercentWeek: number | null;
  /** Most sync-made memberships one run may remove from any one group. */
  maxGroupRemovals: number | null;
  /** The same, as a percentage of the group's sync-made members before the run. */
  maxGroupRemovalPercent: number | null;
  /** Hold when planned blocks exceed this multiple of the median blocks of the last 10 complete runs. */
  maxBlockMedianFactor: number | null;
}

export const DEFAULT_TIME_GUARDS: Readonly<TimeGuards> = Object.freeze({
  maxBlocksDay: null,
  maxBlockPercentDay: null,
  maxBlocksWeek: null,
  maxBlockPercentWeek: null,
  maxGroupRemovals: null,
  maxGroupRemovalPercent: null,
  maxBlockMedianFactor: null,
});

const KEYS = Object.keys(DEFAULT_TIME_GUARDS) as Array<keyof TimeGuards>;
/** Which guards are whole numbers of users or memberships (the rest are percentages or a factor). */
const COUNTS: ReadonlySet<keyof TimeGuards> = new Set(['maxBlocksDay', 'maxBlocksWeek', 'maxGroupRemovals']);
const PERCENTS: ReadonlySet<keyof TimeGuards> = new Set([
  'maxBlockPercentDay',
  'maxBlockPercentWeek',
  'maxGroupRemovalPercent',
]);

/** What an admin reads about each guard in an error message. */
const LABEL: Record<keyof TimeGuards, string> = {
  maxBlocksDay: 'Maximum blocks in 24 hours',
  maxBlockPercentDay: 'Maximum block percentage in 24 hours',
  maxBlocksWeek: 'Maximum blocks in 7 days',
  maxBlockPercentWeek: 'Maximum block percentage in 7 days',
  maxGroupRemovals: 'Maximum membership removals per group',
  maxGroupRemovalPercent: 'Maximum membership removal percentage per group',
  maxBlockMedianFactor: 'Maximum blocks as a multiple of the recent median',
};

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The stored guards of any shape: a key absent or not a number ≥ 0 is off. */
export function parseTimeGuards(c: Record<string, unknown>): TimeGuards {
  const out = { ...DEFAULT_TIME_GUARDS };
  for (const k of KEYS) {
    const v = c[k];
    out[k] = typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
  }
  return out;
}

/** Stored → proto (off stays unset). */
export function timeGuardsToProto(g: TimeGuards): Pick<runsV1.SyncConfig, keyof TimeGuards> {
  return Object.fromEntries(KEYS.map((k) => [k, g[k] ?? undefined])) as Pick<runsV1.SyncConfig, keyof TimeGuards>;
}

/** Every problem of the proposed guards, by proto path. */
export function timeGuardErrors(p: Partial<Pick<runsV1.SyncConfig, keyof TimeGuards>>): Array<{
  path: string;
  message: string;
}> {
  const errors: Array<{ path: string; message: string }> = [];
  for (const k of KEYS) {
    const v = p[k];
    if (v === undefined) continue;
    if (COUNTS.has(k) && !(Number.isInteger(v) && v >= 0)) {
      errors.push({ path: snake(k), message: `${LABEL[k]} must be a whole number of 0 or more` });
    } else if (PERCENTS.has(k) && !(Number.isFinite(v) && v >= 0 && v <= 100)) {
      errors.push({ path: snake(k), message: `${LABEL[k]} must be between 0 and 100` });
    } else if (k === 'maxBlockMedianFactor' && !(Number.isFinite(v) && v >= 1 && v <= 1000)) {
      errors.push({ path: snake(k), message: `${LABEL[k]} must be between 1 and 1000` });
    }
  }
  return errors;
}

/** Proto (already checked) → stored. */
export function timeGuardsFromProto(p: Partial<Pick<runsV1.SyncConfig, keyof TimeGuards>>): TimeGuards {
  return Object.fromEntries(KEYS.map((k) => [k, p[k] ?? null])) as unknown as TimeGuards;
}
