import { describe, expect, it } from 'vitest';
import { defaultProfileSchema } from '@usersync/control-file';
import { DEFAULT_TIME_GUARDS } from '@usersync/run-state';
import { applySettingsFrom } from './apply-settings.js';

describe(applySettingsFrom.name, () => {
  it('defaults every key of a missing or odd configuration', () => {
    expect(applySettingsFrom(undefined)).toEqual({
      updateAll: false,
      maxBlockPercent: 10,
      maxBlockCount: 500,
      blockInvalidRecords: false,
      managedGroups: [],
      profileSchema: defaultProfileSchema,
      // The guards over time are off until configured (issue 18).
      ...DEFAULT_TIME_GUARDS,
      // No stable key: a returning blocked user is never held as a reused username (issue 18).
      recycleStableKey: '',
    });
    expect(applySettingsFrom({ maxBlockPercent: 'x', updateAll: 'yes', maxBlocksDay: -1 })).toMatchObject({
      maxBlocksDay: null,
      maxBlockPercent: 10,
      updateAll: false,
    });
  });

  it('keeps null limits (no limit) and de-duplicates managed groups', () => {
    const s = applySettingsFrom({
      maxBlockCount: null,
      managedGroups: [{ code: 'staff', name: 'Staff' }, { code: 'staff' }, 'students', { name: 'no code' }],
    });
    expect(s.maxBlockCount).toBeNull();
    expect(s.managedGroups).toEqual([
      { code: 'staff', name: 'Staff' },
      { code: 'students', name: 'students' },
    ]);
  });

  it('rejects an invalid stored profile schema instead of dropping attributes', () => {
    expect(() => applySettingsFrom({ profileAttributes: [{ code: '', type: 'nope' }] })).toThrow(/profile schema/);
  });
});
