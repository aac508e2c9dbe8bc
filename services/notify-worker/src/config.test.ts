import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const base = { DATABASE_URL: 'postgres://localhost/usersync' };

describe('notify-worker config', () => {
  it('says the outcome in subjects, reminds after 24 hours and asks no lookup-service by default', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      NOTIFY_SUBJECT_STYLE: 'outcome',
      NOTIFY_HELD_REMINDER_HOURS: 24,
      NOTIFY_REMINDER_CHECK_MS: 300_000,
      LOOKUP_TIMEOUT_MS: 2_000,
    });
    expect(config.LOOKUP_SERVICE_ADDR).toBeUndefined();
  });

  it('takes Haplo’s subject style, reminders off, and refuses an unknown style by name', () => {
    expect(loadConfig({ ...base, NOTIFY_SUBJECT_STYLE: 'haplo', NOTIFY_HELD_REMINDER_HOURS: '0' })).toMatchObject({
      NOTIFY_SUBJECT_STYLE: 'haplo',
      NOTIFY_HELD_REMINDER_HOURS: 0,
    });
    expect(() => loadConfig({ ...base, NOTIFY_SUBJECT_STYLE: 'fancy' })).toThrow(/NOTIFY_SUBJECT_STYLE/);
    expect(() => loadConfig({ ...base, NOTIFY_HELD_REMINDER_HOURS: '-1' })).toThrow(/NOTIFY_HELD_REMINDER_HOURS/);
  });
});
