import { describe, expect, it } from 'vitest';
import { chooseStrategy, workFor, type StrategyFacts } from './apply-strategy.js';
import { holdDecision, holdFor } from './hold-policy.js';

const direct: StrategyFacts = {
  directoryEmpty: true,
  hasUsernameRule: true,
  directCreatesEnabled: true,
  planOnly: false,
  previewFoundStale: false,
  partialApproval: false,
};

describe(chooseStrategy.name, () => {
  it('imports directly into an empty directory with a username rule', () => {
    expect(chooseStrategy(direct)).toBe('direct-first-import');
  });

  it('plans whenever one condition is missing', () => {
    for (const key of Object.keys(direct) as Array<keyof StrategyFacts>) {
      const facts = { ...direct, [key]: ['planOnly', 'previewFoundStale', 'partialApproval'].includes(key) };
      expect(chooseStrategy(facts), key).toBe('planned');
    }
  });

  it('picks direct only where no hold can fire (an empty directory has nobody in the feed)', () => {
    const limits = [
      { maxBlockPercent: 0, maxBlockCount: 0 },
      { maxBlockPercent: 10, maxBlockCount: 500 },
      { maxBlockPercent: null, maxBlockCount: null },
    ];
    for (const settings of limits) {
      for (const validRecords of [0, 1, 1_000_000]) {
        for (const blocks of [0, 1, 10]) {
          const facts = { hasUsernameRule: true, validRecords, inFeed: 0, blocks };
          expect(holdFor(facts, settings)).toBeUndefined();
          const approval = { approved: true, previewDigest: null, heldFor: 'block_threshold' as const };
          expect(holdDecision(facts, settings, approval, 'any')).toBeUndefined();
          expect(holdDecision(facts, settings, { ...approval, approved: false }, 'any')).toBeUndefined();
        }
      }
    }
  });
});

describe(workFor.name, () => {
  it('applies a running run, plans a held run without a plan, and leaves every other run alone', () => {
    expect(workFor({ status: 'running', hasPlan: false })).toBe('apply');
    expect(workFor({ status: 'running', hasPlan: true })).toBe('apply');
    expect(workFor({ status: 'held', hasPlan: false })).toBe('plan-only');
    for (const status of ['held', 'ready', 'uploading', 'complete', 'failure', 'cancelled']) {
      expect(workFor({ status, hasPlan: true }), status).toBe('none');
    }
  });
});
