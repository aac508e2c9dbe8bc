import { describe, expect, it } from 'vitest';
import { adminItem, compareItems, cursorOf, describeDetail, displayValue, parseCursor, runItem } from './audit-view.js';
import { checkKeyForm } from './api-keys.routes.js';

const actor = { kind: 'admin' as const, id: 'a', displayName: 'Ada' };

describe('describeDetail', () => {
  it('turns a before/after pair into changed fields only, and the rest into facts', () => {
    const d = describeDetail({
      before: { autoApply: false, reportEmails: [], maxBlockPercent: 10, managedGroups: [{ code: 's', name: 'S' }] },
      after: { autoApply: true, reportEmails: ['a@x.org', 'b@x.org'], maxBlockPercent: 10, managedGroups: [] },
      reason: 'tidy',
    });
    expect(d.changes).toEqual([
      { field: 'autoApply', before: 'no', after: 'yes' },
      { field: 'reportEmails', before: '(none)', after: 'a@x.org, b@x.org' },
      { field: 'managedGroups', before: 'code: s, name: S', after: '(none)' },
    ]);
    expect(d.facts).toEqual([{ name: 'reason', value: 'tidy' }]);
  });

  it('shows values in words', () => {
    expect(displayValue(null)).toBe('(none)');
    expect(displayValue('')).toBe('(empty)');
    expect(displayValue(3)).toBe('3');
    expect(displayValue({ a: 1, b: { c: 2 } })).toBe('a: 1, b: {"c":2}');
  });
});

describe('audit paging across sources', () => {
  const at = new Date(1_000_000);
  const a = adminItem({ id: 7, at, actor, action: 'config.updated', target: 'sync_config', detail: {}, ip: null });
  const r = runItem({ id: 9, at, actor: { ...actor, kind: 'api_key' }, action: 'upload_file', runId: 3, detail: {} });

  it('puts the runs trail before the portal at the same millisecond, and links targets', () => {
    expect([a, r].sort(compareItems)).toEqual([r, a]);
    expect(r.target).toEqual({ text: 'Run 3', href: '/runs/3' });
    expect(a.target).toEqual({ text: 'Configuration', href: '/config' });
    expect(a.label).toBe('Configuration changed');
  });

  it('continues each source after the cursor', () => {
    expect(parseCursor(cursorOf(r))).toEqual({ admin: { at, id: Number.MAX_SAFE_INTEGER }, run: { at, id: 9 } });
    expect(parseCursor(cursorOf(a))).toEqual({ admin: { at, id: 7 }, run: { at, id: 0 } });
    expect(parseCursor('1.2.3')).toBeUndefined();
    expect(parseCursor(undefined)).toBeUndefined();
  });
});

describe('checkKeyForm', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  it('checks the name and the expiry in one pass', () => {
    const r = checkKeyForm({ name: ' ', purpose: 'sync:upload', expiry: 'date', expiresOn: '2027-02-30' }, [], now);
    expect(Object.keys(r.errors)).toEqual(['name', 'expiresOn']);
  });
  it('gives a date choice its end of day (UTC) and a duration its days', () => {
    expect(
      checkKeyForm({ name: 'k', purpose: 'sync:upload', expiry: 'date', expiresOn: '2027-01-31' }, [], now).expiresAt,
    ).toEqual(new Date('2027-02-01T00:00:00Z'));
    expect(checkKeyForm({ name: 'k', purpose: 'sync:upload', expiry: '90', expiresOn: '' }, [], now).expiresAt).toEqual(
      new Date(now.getTime() + 90 * 86_400_000),
    );
    expect(
      checkKeyForm({ name: 'k', purpose: 'sync:upload', expiry: 'never', expiresOn: '' }, [], now).expiresAt,
    ).toBeUndefined();
    expect(
      checkKeyForm({ name: 'k', purpose: 'root', expiry: 'never', expiresOn: '' }, [], now).errors.purpose,
    ).toEqual(['Choose what the key is for.']);
  });
  it('refuses a name an active key has, in any case, and dates too far or past', () => {
    expect(
      checkKeyForm({ name: 'HR ', purpose: 'sync:upload', expiry: 'never', expiresOn: '' }, ['hr'], now).errors.name,
    ).toHaveLength(1);
    expect(
      checkKeyForm({ name: 'k', purpose: 'sync:upload', expiry: 'date', expiresOn: '2040-01-01' }, [], now).errors
        .expiresOn,
    ).toHaveLength(1);
    expect(
      checkKeyForm({ name: 'k', purpose: 'sync:upload', expiry: 'date', expiresOn: '2026-12-03' }, [], now).errors
        .expiresOn,
    ).toEqual(['The expiry date must be after today.']);
  });
});
