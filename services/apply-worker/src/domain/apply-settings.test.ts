import { describe, expect, it } from 'vitest';
import { defaultProfileSchema } from '@usersync/control-file';
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
    });
    expect(applySettingsFrom({ maxBlockPercent: 'x', updateAll: 'yes' })).toMatchObject({
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
