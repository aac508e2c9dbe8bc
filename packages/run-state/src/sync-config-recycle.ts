/**
 * The recycle bin's settings (issue 18 item 2): how long a user a sync blocked for being absent from the feed
 * stays whole, what happens after that, and the stable key that tells a returning person from a different
 * person given the same username. Part of {@link SyncConfig}; read leniently, updated strictly with one
 * message per proto field path, like every other setting.
 */
import type { runsV1 } from '@usersync/contracts';

/** What the recycle timer does once a blocked user's grace period is over. */
export const RECYCLE_STEPS = ['keep', 'anonymise', 'delete'] as const;
export type RecycleStep = (typeof RECYCLE_STEPS)[number];

/** The recycle bin settings, as stored and used. */
export interface RecycleSettings {
  /** Whole days a sync-blocked user keeps everything before `recycleAfterGrace`. */
  recycleGraceDays: number;
  recycleAfterGrace: RecycleStep;
  /** '' (none), `profile.<code>` or `tags.<key>`: compared when a blocked user returns (reused_username hold). */
  recycleStableKey: string;
}

export const DEFAULT_RECYCLE: Readonly<RecycleSettings> = Object.freeze({
  recycleGraceDays: 30,
  recycleAfterGrace: 'keep',
  recycleStableKey: '',
});

/** The longest grace period accepted (ten years). */
export const MAX_GRACE_DAYS = 3650;
// `profile.employeeId`, `tags.externalId`: the planner reads the value with ->> on the stored JSON.
const STABLE_KEY = /^(profile|tags)\.([A-Za-z0-9][A-Za-z0-9_:.-]{0,99})$/;

/** The stable key as where it is read from, or null for none (or a stored key that is not valid). */
export function stableKeyOf(key: string): { in: 'profile' | 'tags'; name: string } | null {
  const m = STABLE_KEY.exec(key);
  return m ? { in: m[1] as 'profile' | 'tags', name: m[2]! } : null;
}

const isStep = (v: unknown): v is RecycleStep => RECYCLE_STEPS.includes(v as RecycleStep);

/** The stored settings of any shape: a key absent or of the wrong kind takes its default. */
export function parseRecycle(c: Record<string, unknown>): RecycleSettings {
  const days = c.recycleGraceDays;
  const key = c.recycleStableKey;
  return {
    recycleGraceDays:
      typeof days === 'number' && Number.isInteger(days) && days >= 0 && days <= MAX_GRACE_DAYS
        ? days
        : DEFAULT_RECYCLE.recycleGraceDays,
    recycleAfterGrace: isStep(c.recycleAfterGrace) ? c.recycleAfterGrace : DEFAULT_RECYCLE.recycleAfterGrace,
    recycleStableKey: typeof key === 'string' && stableKeyOf(key) ? key : '',
  };
}

/** Stored → proto. */
export function recycleToProto(r: RecycleSettings): Pick<runsV1.SyncConfig, keyof RecycleSettings> {
  return {
    recycleGraceDays: r.recycleGraceDays,
    recycleAfterGrace: r.recycleAfterGrace,
    recycleStableKey: r.recycleStableKey,
  };
}

/** Every problem of the proposed settings, by proto path; `profileCodes` (when given) are the schema's. */
export function recycleErrors(
  p: Partial<Pick<runsV1.SyncConfig, keyof RecycleSettings>>,
  profileCodes?: readonly string[],
): Array<{ path: string; message: string }> {
  const errors: Array<{ path: string; message: string }> = [];
  const days = p.recycleGraceDays;
  if (days !== undefined && !(Number.isInteger(days) && days >= 0 && days <= MAX_GRACE_DAYS)) {
    errors.push({
      path: 'recycle_grace_days',
      message: `Grace period must be a whole number of days between 0 and ${MAX_GRACE_DAYS}`,
    });
  }
  const step = p.recycleAfterGrace ?? '';
  if (step !== '' && !isStep(step)) {
    errors.push({ path: 'recycle_after_grace', message: 'After the grace period must be keep, anonymise or delete' });
  }
  const key = (p.recycleStableKey ?? '').trim();
  if (key !== '') {
    const parsed = stableKeyOf(key);
    if (!parsed) {
      errors.push({
        path: 'recycle_stable_key',
        message: 'Stable key must be "profile.<attribute code>" or "tags.<tag name>", or empty for none',
      });
    } else if (
      parsed.in === 'profile' &&
      profileCodes &&
      profileCodes.length > 0 &&
      !profileCodes.includes(parsed.name)
    ) {
      errors.push({
        path: 'recycle_stable_key',
        message: `Stable key: the profile schema has no attribute "${parsed.name}"`,
      });
    }
  }
  return errors;
}

/** Proto (already checked) → stored. */
export function recycleFromProto(p: Partial<Pick<runsV1.SyncConfig, keyof RecycleSettings>>): RecycleSettings {
  const step = p.recycleAfterGrace ?? '';
  return {
    recycleGraceDays: p.recycleGraceDays ?? DEFAULT_RECYCLE.recycleGraceDays,
    recycleAfterGrace: isStep(step) ? step : 'keep',
    recycleStableKey: (p.recycleStableKey ?? '').trim(),
  };
}
