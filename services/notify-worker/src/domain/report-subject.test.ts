import { describe, expect, it } from 'vitest';
import { renderReminderEmail } from './reminder-email.js';
import { reminderSubject, reportSubject } from './report-subject.js';
import { buildRunReport, type OutcomeKind, type ReportInputs } from './run-report.js';

const report = (kind: OutcomeKind, run: Partial<ReportInputs['run']> = {}, event: ReportInputs['event'] = {}) =>
  buildRunReport({
    host: 'sync.example.org',
    publicUrl: 'https://sync.example.org',
    kind,
    run: {
      id: 42,
      createdAt: new Date('2026-11-25T10:00:00Z'),
      finishedAt: new Date('2026-11-25T10:05:00Z'),
      errorCount: 0,
      counts: {},
      planCounts: {},
      holdReason: null,
      holdDetail: null,
      failureMessage: null,
      cancelReason: null,
      ...run,
    },
    event,
    previousErrors: 4,
    errorLines: [],
    errorLineTotal: 0,
  });

describe('subjects that say the outcome', () => {
  it('held: what the run would do, blocks first', () => {
    expect(reportSubject(report('held', { planCounts: { blocked: 200 } }))).toBe(
      'Held: would block 200 users — usersync sync.example.org',
    );
    expect(reportSubject(report('held', { planCounts: { created: 8600 } }))).toBe(
      'Held: would create 8,600 users — usersync sync.example.org',
    );
    expect(reportSubject(report('held', { planCounts: { created: 1, blocked: 1, updated: 5 } }))).toBe(
      'Held: would block 1 user, create 1, update 5 — usersync sync.example.org',
    );
    expect(reportSubject(report('held'))).toBe('Held: no changes planned — usersync sync.example.org');
  });

  it('complete, complete with errors, failed, cancelled', () => {
    expect(reportSubject(report('completed', { counts: { created: 12, updated: 3 } }))).toBe(
      'Complete: 12 created, 3 updated — usersync sync.example.org',
    );
    expect(reportSubject(report('completed'))).toBe('Complete: no changes — usersync sync.example.org');
    expect(reportSubject(report('completed', { errorCount: 150_000 }))).toBe(
      'Complete with errors: 150,000 errors — usersync sync.example.org',
    );
    expect(reportSubject(report('failed', { errorCount: 1 }))).toBe(
      'Failed: nothing applied — usersync sync.example.org',
    );
    expect(reportSubject(report('cancelled'))).toBe('Cancelled — usersync sync.example.org');
  });

  it('Haplo’s style on request', () => {
    expect(reportSubject(report('completed', { errorCount: 1 }), 'haplo')).toBe(
      'User feed report / -3 / sync.example.org',
    );
  });

  it('reminders: whole hours held (minutes under an hour)', () => {
    expect(reminderSubject(42, 26.5 * 3_600_000, 'sync.example.org')).toBe(
      'Reminder: run 42 held for 26 hours — usersync sync.example.org',
    );
    expect(reminderSubject(42, 3_600_000, 'h')).toBe('Reminder: run 42 held for 1 hour — usersync h');
    expect(reminderSubject(42, 40 * 60_000, 'h')).toBe('Reminder: run 42 held for 40 minutes — usersync h');
  });

  it('a reminder says why the run is held, what it would do and where to decide', () => {
    const held = report(
      'held',
      { holdReason: 'block_threshold', holdDetail: 'would block 200 users', planCounts: { blocked: 200 } },
      {},
    );
    const mail = renderReminderEmail(held, { heldSince: new Date('2026-11-24T08:00:00Z'), heldForMs: 26 * 3_600_000 });
    expect(mail.subject).toBe('Reminder: run 42 held for 26 hours — usersync sync.example.org');
    expect(mail.text).toContain(
      'Run 42 on sync.example.org has been waiting for an admin since 2026-11-24T08:00:00.000Z.',
    );
    expect(mail.text).toContain('Hold reason: This run would block more users than the configured limit.');
    expect(mail.text).toContain('Review and apply: https://sync.example.org/runs/42');
    expect(mail.html).toContain('<a href="https://sync.example.org/runs/42">');
  });
});
