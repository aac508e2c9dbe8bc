import { describe, expect, it } from 'vitest';
import { holdDecision, holdFor, plannedHold, STALE_PLAN_DETAIL } from './hold-policy.js';

const limits = { maxBlockPercent: 10, maxBlockCount: 500 };
const facts = { hasUsernameRule: true, validRecords: 100, inFeed: 8600, blocks: 0 };

describe(holdFor.name, () => {
  it('lets a plan within the limits apply', () => {
    expect(holdFor({ ...facts, blocks: 499 }, limits)).toBeUndefined();
  });

  it('holds over the percentage with the detail admins read', () => {
    expect(holdFor({ ...facts, blocks: 1204 }, { ...limits, maxBlockCount: null })).toEqual({
      reason: 'block_threshold',
      detail: 'would block 1,204 users (14% of 8,600; limit 10%)',
    });
  });

  it('holds over the count when the percentage is fine', () => {
    expect(holdFor({ ...facts, inFeed: 100_000, blocks: 501 }, limits)?.detail).toBe(
      'would block 501 users (0.5% of 100,000; limit 500 users)',
    );
  });

  it('puts the missing username rule first, then an empty source', () => {
    expect(holdFor({ ...facts, hasUsernameRule: false, validRecords: 0, blocks: 8600 }, limits)?.reason).toBe(
      'no_username_rule',
    );
    expect(holdFor({ ...facts, validRecords: 0, blocks: 0 }, limits)?.reason).toBe('empty_source');
  });

  it('never holds an empty directory, and no limit means no threshold hold', () => {
    expect(holdFor({ ...facts, validRecords: 0, inFeed: 0 }, limits)).toBeUndefined();
    expect(holdFor({ ...facts, blocks: 8000 }, { maxBlockPercent: null, maxBlockCount: null })).toBeUndefined();
  });
});

describe(holdDecision.name, () => {
  const over = { ...facts, blocks: 1204 };
  const none = { approved: false, previewDigest: null, heldFor: null };
  const previewed = { approved: true, previewDigest: 'd1', heldFor: 'block_threshold' as const };

  it('is the policy when nobody approved a preview', () => {
    expect(holdDecision(over, limits, none, 'd1')).toEqual(holdFor(over, limits));
    expect(holdDecision(over, limits, { ...none, approved: true }, 'd1')).toEqual(holdFor(over, limits));
  });

  it('applies an approved preview that still matches, whatever the thresholds', () => {
    expect(holdDecision(over, limits, previewed, 'd1')).toBeUndefined();
  });

  it('holds a stale preview again, with the policy reason when there is one', () => {
    expect(holdDecision(facts, limits, previewed, 'd2')).toEqual({
      reason: 'block_threshold',
      detail: STALE_PLAN_DETAIL,
    });
    expect(holdDecision(facts, limits, { ...previewed, heldFor: 'empty_source' }, 'd2')?.reason).toBe('empty_source');
    expect(holdDecision(over, limits, previewed, 'd2')?.detail).toBe(
      `${STALE_PLAN_DETAIL}; would block 1,204 users (14% of 8,600; limit 10%)`,
    );
  });
});

describe(plannedHold.name, () => {
  const firstRun = { reason: 'first_run' as const, detail: '' };
  const sizes = { reason: 'files_too_different' as const, detail: 'people: 120 → 4,000 bytes' };
  const blocks = { reason: 'block_threshold' as const, detail: 'would block 1,204 users (14% of 8,600; limit 10%)' };

  it("keeps start-sync's reason when the plan itself would apply", () => {
    expect(plannedHold(sizes, undefined)).toEqual(sizes);
  });

  it("adds the plan's own reason to the detail, so the admin reads both", () => {
    expect(plannedHold(sizes, blocks)).toEqual({
      reason: 'files_too_different',
      detail: 'people: 120 → 4,000 bytes; the plan also would block 1,204 users (14% of 8,600; limit 10%)',
    });
    expect(plannedHold(firstRun, blocks)).toEqual({ reason: 'first_run', detail: blocks.detail });
  });
});
