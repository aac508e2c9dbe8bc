/**
 * The configuration form's "Recycle bin" fields (issue 18 item 2; run-state's sync-config-recycle.ts): the
 * grace period, what happens after it, and the stable key that tells a returning person from a reused username.
 */
import type { runsV1 } from '@usersync/contracts';
import { MAX_GRACE_DAYS } from '@usersync/run-state';
import type { ConfigFieldSpec } from './config-form.js';

export const RECYCLE_FIELDS = ['recycleGraceDays', 'recycleAfterGrace', 'recycleStableKey'] as const;

/** The stored settings as form values. */
export const recycleToForm = (c: runsV1.SyncConfig) => ({
  recycleGraceDays: c.recycleGraceDays === undefined ? '30' : String(c.recycleGraceDays),
  recycleAfterGrace: c.recycleAfterGrace || 'keep',
  recycleStableKey: c.recycleStableKey,
});

/** The form values as proto fields; an unreadable grace period is a field error. */
export function recycleFromForm(
  f: Record<(typeof RECYCLE_FIELDS)[number], string>,
  fail: (field: 'recycleGraceDays', message: string) => void,
): Pick<runsV1.SyncConfig, (typeof RECYCLE_FIELDS)[number]> {
  const raw = f.recycleGraceDays.trim();
  const days = raw === '' ? undefined : Number(raw);
  if (days !== undefined && !Number.isFinite(days)) fail('recycleGraceDays', 'Grace period must be a number of days.');
  return {
    recycleGraceDays: days !== undefined && Number.isFinite(days) ? days : undefined,
    recycleAfterGrace: f.recycleAfterGrace.trim(),
    recycleStableKey: f.recycleStableKey.trim(),
  };
}

/** The three fields, in the "Recycle bin" fieldset. */
export function recycleFieldSpecs(): ConfigFieldSpec[] {
  const legend = 'Recycle bin';
  return [
    {
      name: 'recycleGraceDays',
      legend,
      kind: 'text',
      inputmode: 'numeric',
      label: 'Days a user who left the feed stays in the recycle bin',
      short: 'Grace period',
      hint: `A blocked user keeps their profile, memberships and history this long, and comes back whole if the feed names them again or an admin restores them. 0 to ${MAX_GRACE_DAYS}; default 30.`,
    },
    {
      name: 'recycleAfterGrace',
      legend,
      kind: 'select',
      options: [
        ['keep', 'Keep the user blocked (nothing is removed)'],
        ['anonymise', 'Anonymise the user (names, email, tags, profile and memberships removed)'],
        ['delete', 'Delete the user, their memberships and history'],
      ],
      label: 'After the grace period',
      hint: 'Anonymise keeps an unnamed tombstone ("anonymised-<id>") and the history without its values; delete removes the user from the directory. Either way a person who returns later with the same username gets a new account.',
      warning: true,
    },
    {
      name: 'recycleStableKey',
      legend,
      kind: 'text',
      label: 'Stable key that tells a returning person from a reused username',
      short: 'Stable key',
      hint: 'For example profile.employee-id or tags.externalId: when a blocked user comes back with a different value, the run is held (reused username) instead of giving the old account to someone else. Empty for none.',
      attrs: { spellcheck: 'false', autocomplete: 'off' },
    },
  ];
}
