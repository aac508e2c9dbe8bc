import { describe, expect, it } from 'vitest';
import { emailTargets, webhookTargets } from './recipients.js';

describe('report targets', () => {
  it('sends no email for an empty or blank list (Haplo H7)', () => {
    expect(emailTargets([])).toEqual([]);
    expect(emailTargets(['', ' , '])).toEqual([]);
    expect(webhookTargets('  ')).toEqual([]);
  });

  it('splits comma lists, trims, de-duplicates case-insensitively and flags bad entries', () => {
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
