import { describe, expect, it } from 'vitest';
import { defaultProfileSchema } from '@usersync/control-file';
import { transformFingerprint } from './transform-fingerprint.js';

const groups = [
  { code: 'staff', name: 'Staff' },
  { code: 'students', name: 'Students' },
];
const base = { profileSchema: defaultProfileSchema, managedGroups: groups };

describe('transformFingerprint', () => {
  it('changes with the control file, the profile schema and the managed group codes', () => {
    const fp = transformFingerprint('control-a', base);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(transformFingerprint('control-a', base)).toBe(fp);
    expect(transformFingerprint('control-b', base)).not.toBe(fp);
    const schema = { attributes: defaultProfileSchema.attributes.slice(1) };
    expect(transformFingerprint('control-a', { ...base, profileSchema: schema })).not.toBe(fp);
    expect(transformFingerprint('control-a', { ...base, managedGroups: groups.slice(1) })).not.toBe(fp);
  });

  it('changes with the year, which places two-digit years', () => {
    const at = (iso: string) => transformFingerprint('control-a', base, new Date(iso));
    expect(at('2026-01-01T00:00:00Z')).toBe(at('2026-12-31T23:59:59Z'));
    expect(at('2027-01-01T00:00:00Z')).not.toBe(at('2026-12-31T23:59:59Z'));
  });

  it('ignores what does not shape a desired state: group names and their order', () => {
    const fp = transformFingerprint('control-a', base);
    const renamed = [...groups].reverse().map((g) => ({ ...g, name: `${g.name}!` }));
    expect(transformFingerprint('control-a', { ...base, managedGroups: renamed })).toBe(fp);
  });
});
