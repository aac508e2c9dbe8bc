import { describe, expect, it } from 'vitest';
import { ValidationError } from '@usersync/platform';
import { DEFAULT_SYNC_CONFIG } from './sync-config.js';
import { configFromProto, configToProto } from './sync-config-rules.js';

describe('sync config', () => {
  it('round-trips the defaults', () => {
    expect(configFromProto(configToProto({ ...DEFAULT_SYNC_CONFIG }))).toEqual(DEFAULT_SYNC_CONFIG);
  });

  it('reports each bad field with its path', () => {
    const p = configToProto({
      ...DEFAULT_SYNC_CONFIG,
      reportEmails: ['x@'],
      maxBlockCount: -1,
      profileAttributes: [{ code: 'a', label: '', type: 'nope', multivalue: false }],
    });
    try {
      configFromProto(p);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const paths = ((err as ValidationError).details as Array<{ path: string }>).map((d) => d.path);
      expect(paths).toEqual([
        'report_emails[0]',
        'max_block_count',
        'profile_attributes[0].label',
        'profile_attributes[0].type',
      ]);
    }
  });

  it('drops empty email entries and trims the endpoint', () => {
    const p = configToProto({
      ...DEFAULT_SYNC_CONFIG,
      reportEmails: ['a@b.org', ' '],
      reportEndpoint: ' https://x.org/r ',
    });
    expect(configFromProto(p)).toMatchObject({ reportEmails: ['a@b.org'], reportEndpoint: 'https://x.org/r' });
  });
});
