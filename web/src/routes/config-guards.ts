/**
 * The configuration form's "Limits over time" fields (issue 18): the guards over time of run-state's
 * sync-config-guards.ts, optional numbers edited as text, listed in CONFIG_FIELDS through guardFieldSpecs.
 */
import type { runsV1 } from '@usersync/contracts';
import type { ConfigFieldSpec } from './config-form.js';

// Guards over time (issue 18, run-state's sync-config-guards.ts): optional numbers, edited as text.
export const GUARD_FIELDS = [
  'maxBlocksDay',
  'maxBlockPercentDay',
  'maxBlocksWeek',
  'maxBlockPercentWeek',
  'maxGroupRemovals',
  'maxGroupRemovalPercent',
  'maxBlockMedianFactor',
] as const;
export type GuardField = (typeof GUARD_FIELDS)[number];
export const guardsToForm = (c: runsV1.SyncConfig) =>
  Object.fromEntries(GUARD_FIELDS.map((k) => [k, c[k] === undefined ? '' : String(c[k])])) as Record<
    GuardField,
    string
  >;

/** The guards over time, in the "Limits over time" fieldset (issue 18). */
export function guardFieldSpecs(): ConfigFieldSpec[] {
  const legend = 'Limits over time';
  const count = (name: GuardField, label: string, short: string, hint: string): ConfigFieldSpec => ({
    name,
    legend,
    kind: 'text',
    inputmode: 'numeric',
    label,
    short,
    hint,
  });
  const decimal = (name: GuardField, label: string, short: string, hint: string): ConfigFieldSpec => ({
    ...count(name, label, short, hint),
    inputmode: 'decimal',
  });
  const off = 'Empty for no limit (the default).';
  return [
    count(
      'maxBlocksDay',
      'Hold when blocks in the last 24 hours, this run included, would pass this number',
      'Maximum blocks in 24 hours',
      `Counts the blocks of every run applied in the last 24 hours, so a bad change spread over several uploads still holds. ${off}`,
    ),
    decimal(
      'maxBlockPercentDay',
      'Hold when blocks in the last 24 hours would pass this percentage of users in the feed',
      'Maximum block percentage in 24 hours',
      `Between 0 and 100. ${off}`,
    ),
    count(
      'maxBlocksWeek',
      'Hold when blocks in the last 7 days, this run included, would pass this number',
      'Maximum blocks in 7 days',
      off,
    ),
    decimal(
      'maxBlockPercentWeek',
      'Hold when blocks in the last 7 days would pass this percentage of users in the feed',
      'Maximum block percentage in 7 days',
      `Between 0 and 100. ${off}`,
    ),
    count(
      'maxGroupRemovals',
      'Hold when a run would remove more than this many members from any one group',
      'Maximum membership removals per group',
      `Only memberships the sync made count; blocked users keep theirs. ${off}`,
    ),
    decimal(
      'maxGroupRemovalPercent',
      "Hold when a run would remove more than this percentage of any one group's members",
      'Maximum membership removal percentage per group',
      `Between 0 and 100. ${off}`,
    ),
    decimal(
      'maxBlockMedianFactor',
      'Hold when a run blocks more than this many times the median of the last 10 runs',
      'Maximum blocks as a multiple of the recent median',
      `At least 1; a median of 0 counts as 1. ${off}`,
    ),
  ];
}
