import { describe, expect, it } from 'vitest';
import { userNotes, type NoteFacts } from './user-notes.js';
import { parseLookupQuery } from './lookup-query.js';

const base: NoteFacts = {
  active: true,
  inFeed: true,
  error: false,
  managed: true,
  lastBlockRunId: null,
  lastReactivateRunId: null,
  lastRecordRunId: 1,
  latestRunErrors: null,
};

describe(userNotes.name, () => {
  it('says nothing about a healthy user', () => {
    expect(userNotes(base)).toEqual([]);
  });

  it('names the run that blocked a user who left the feed', () => {
    expect(userNotes({ ...base, active: false, inFeed: false, lastBlockRunId: 42 })).toEqual([
      'Cannot log in because they are not in the latest feed (blocked by run 42).',
    ]);
  });

  it('explains reactivation only when it came after the last block', () => {
    expect(userNotes({ ...base, lastBlockRunId: 3, lastReactivateRunId: 5 })).toEqual([
      'Reactivated by run 5 after being blocked by run 3.',
    ]);
    expect(userNotes({ ...base, active: false, inFeed: false, lastBlockRunId: 6, lastReactivateRunId: 5 })).toEqual([
      'Cannot log in because they are not in the latest feed (blocked by run 6).',
    ]);
  });

  it('explains error state, logged errors, unmanaged users and missing records', () => {
    expect(
      userNotes({
        ...base,
        error: true,
        managed: false,
        lastRecordRunId: null,
        latestRunErrors: { runId: 9, count: 2 },
      }),
    ).toEqual([
      'Not managed by the sync: runs never change this user.',
      'In error state: will be re-applied on the next run, even if their record is unchanged.',
      'Run 9 logged 2 errors for this user: see History for the lines.',
      'No record for this user has been received from the feed.',
    ]);
  });
});

describe(parseLookupQuery.name, () => {
  it('trims, lower-cases and treats input with @ as an email', () => {
    expect(parseLookupQuery('  JB1001 ')).toEqual({ text: 'jb1001', byEmail: false });
    expect(parseLookupQuery('Joe.Bloggs@Example.AC.uk')).toEqual({ text: 'joe.bloggs@example.ac.uk', byEmail: true });
  });

  it('refuses empty and over-long input, naming the field', () => {
    expect(() => parseLookupQuery(' \t ')).toThrow('query: enter a username or email address');
    expect(() => parseLookupQuery('x'.repeat(321))).toThrow('query: at most 320 characters');
  });
});
