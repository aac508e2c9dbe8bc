import { describe, expect, it } from 'vitest';
import { defaultProfileSchema } from '@usersync/control-file';
import { DEFAULT_SYNC_CONFIG, parseStoredSyncConfig } from './sync-config.js';
import { DEFAULT_TIME_GUARDS } from './sync-config-guards.js';
import {
  applySettingsOf,
  profileSchemaOf,
  reportEmailTargets as emailTargets,
  reportWebhookTargets as webhookTargets,
} from './sync-config-views.js';

describe(parseStoredSyncConfig.name, () => {
  it('defaults a missing configuration and every wrong-typed key', () => {
    expect(parseStoredSyncConfig(undefined)).toEqual(DEFAULT_SYNC_CONFIG);
    expect(parseStoredSyncConfig({ maxBlockPercent: 'x', updateAll: 'yes', autoApply: false })).toEqual({
      ...DEFAULT_SYNC_CONFIG,
      autoApply: false,
    });
  });

  it('keeps null limits, de-duplicates groups and reads the older profileSchema shape', () => {
    const attr = { code: 'dept', label: 'Department', type: 'text', multivalue: false };
    const c = parseStoredSyncConfig({
      maxBlockCount: null,
      managedGroups: [{ code: 'staff', name: 'Staff' }, { code: 'staff' }, 'students', { name: 'no code' }],
      profileSchema: { attributes: [attr] },
    });
    expect(c.maxBlockCount).toBeNull();
    expect(c.managedGroups).toEqual([
      { code: 'staff', name: 'Staff' },
      { code: 'students', name: 'students' },
    ]);
    expect(c.profileAttributes).toEqual([attr]);
  });
});

describe('derived views', () => {
  it('apply settings: defaults, and an invalid stored schema is an error', () => {
    expect(applySettingsOf(parseStoredSyncConfig({}))).toEqual({
      updateAll: false,
      maxBlockPercent: 10,
      maxBlockCount: 500,
      blockInvalidRecords: false,
      managedGroups: [],
      profileSchema: defaultProfileSchema,
      ...DEFAULT_TIME_GUARDS,
      recycleStableKey: '',
    });
    const bad = parseStoredSyncConfig({ profileAttributes: [{ code: '', type: 'nope' }] });
    expect(() => applySettingsOf(bad)).toThrow(/profile schema/);
    expect(profileSchemaOf(bad).ok).toBe(false);
  });

  it('report targets: no email for an empty or blank list (Haplo H7)', () => {
    expect(emailTargets([])).toEqual([]);
    expect(emailTargets(['', ' , '])).toEqual([]);
    expect(webhookTargets('  ')).toEqual([]);
  });

  it('report targets: splits comma lists, trims, de-duplicates case-insensitively and flags bad entries', () => {
    expect(emailTargets(['a@x.org, B@x.org', 'b@X.org', 'nonsense'])).toEqual([
      { channel: 'email', recipient: 'a@x.org' },
      { channel: 'email', recipient: 'B@x.org' },
      { channel: 'email', recipient: 'nonsense', invalid: 'not an email address' },
    ]);
    expect(webhookTargets('ftp://x')).toEqual([
      { channel: 'webhook', recipient: 'ftp://x', invalid: 'not an http(s) URL' },
    ]);
  });
});
