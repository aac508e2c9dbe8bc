import { describe, expect, it } from 'vitest';
import { reportsTo } from './report-policy.js';

describe('who hears of a run outcome', () => {
  it('mails every outcome of a file run', () => {
    for (const kind of ['completed', 'held', 'failed', 'cancelled'])
      expect(reportsTo('email', kind, { source: 'file', errorCount: 0 })).toBe(true);
  });

  it('mails a SCIM run only when it needs a person: held, failed, cancelled or with errors', () => {
    expect(reportsTo('email', 'completed', { source: 'scim', errorCount: 0 })).toBe(false);
    expect(reportsTo('email', 'completed', { source: 'scim', errorCount: 2 })).toBe(true);
    for (const kind of ['held', 'failed', 'cancelled'])
      expect(reportsTo('email', kind, { source: 'scim', errorCount: 0 })).toBe(true);
  });

  it('sends webhooks for every run of every source', () => {
    expect(reportsTo('webhook', 'completed', { source: 'scim', errorCount: 0 })).toBe(true);
  });
});
