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

  it('checks the guards over time field by field and keeps them through a save', () => {
    const guards = { maxBlocksDay: 1.5, maxBlockPercentWeek: 120, maxBlockMedianFactor: 0.5, maxGroupRemovals: 3 };
    try {
      configFromProto({ ...configToProto({ ...DEFAULT_SYNC_CONFIG }), ...guards });
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).details).toEqual([
        { path: 'max_blocks_day', message: 'Maximum blocks in 24 hours must be a whole number of 0 or more' },
        { path: 'max_block_percent_week', message: 'Maximum block percentage in 7 days must be between 0 and 100' },
        {
          path: 'max_block_median_factor',
          message: 'Maximum blocks as a multiple of the recent median must be between 1 and 1000',
        },
      ]);
    }
    const ok = { ...DEFAULT_SYNC_CONFIG, maxBlocksDay: 200, maxBlockPercentWeek: 15, maxGroupRemovals: 3 };
    expect(configFromProto(configToProto(ok))).toEqual(ok);
  });
});
