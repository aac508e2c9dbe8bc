import { describe, expect, it } from 'vitest';
import { configFromProto, configToProto, syncConfigErrors } from './sync-config-rules.js';
import { DEFAULT_SYNC_CONFIG, parseStoredSyncConfig } from './sync-config.js';
import { parseRecycle, stableKeyOf } from './sync-config-recycle.js';

const proto = (over: object) => ({ ...configToProto(DEFAULT_SYNC_CONFIG), ...over });

describe('recycle bin settings', () => {
  it('defaults to 30 days and keep, with no stable key, and reads a stored config of any shape leniently', () => {
    expect(parseStoredSyncConfig({})).toMatchObject({
      recycleGraceDays: 30,
      recycleAfterGrace: 'keep',
      recycleStableKey: '',
    });
    expect(parseRecycle({ recycleGraceDays: -1, recycleAfterGrace: 'shred', recycleStableKey: 'nope' })).toEqual({
      recycleGraceDays: 30,
      recycleAfterGrace: 'keep',
      recycleStableKey: '',
    });
    expect(parseRecycle({ recycleGraceDays: 0, recycleAfterGrace: 'delete', recycleStableKey: 'tags.ext' })).toEqual({
      recycleGraceDays: 0,
      recycleAfterGrace: 'delete',
      recycleStableKey: 'tags.ext',
    });
  });

  it('reports each bad field by its proto path', () => {
    expect(
      syncConfigErrors(proto({ recycleGraceDays: 2.5, recycleAfterGrace: 'shred', recycleStableKey: 'employeeId' })),
    ).toEqual([
      { path: 'recycle_grace_days', message: 'Grace period must be a whole number of days between 0 and 3650' },
      { path: 'recycle_after_grace', message: 'After the grace period must be keep, anonymise or delete' },
      {
        path: 'recycle_stable_key',
        message: 'Stable key must be "profile.<attribute code>" or "tags.<tag name>", or empty for none',
      },
    ]);
    const schema = [{ code: 'employee-id', label: 'Employee ID', type: 'text', multivalue: false }];
    expect(syncConfigErrors(proto({ profileAttributes: schema, recycleStableKey: 'profile.staff-no' }))).toEqual([
      { path: 'recycle_stable_key', message: 'Stable key: the profile schema has no attribute "staff-no"' },
    ]);
    expect(syncConfigErrors(proto({ profileAttributes: schema, recycleStableKey: 'profile.employee-id' }))).toEqual([]);
  });

  it('round-trips through the proto, an unset grace period taking the default', () => {
    const saved = configFromProto(
      proto({ recycleGraceDays: undefined, recycleAfterGrace: '', recycleStableKey: ' tags.ext ' }),
    );
    expect(saved).toMatchObject({ recycleGraceDays: 30, recycleAfterGrace: 'keep', recycleStableKey: 'tags.ext' });
    expect(stableKeyOf('tags.ext')).toEqual({ in: 'tags', name: 'ext' });
    expect(stableKeyOf('profile.')).toBeNull();
  });
});
