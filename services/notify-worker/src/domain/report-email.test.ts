import { describe, expect, it } from 'vitest';
import { renderReportEmail } from './report-email.js';
import { buildRunReport, reportHost, type ReportInputs } from './run-report.js';

const inputs = (over: Partial<ReportInputs> = {}): ReportInputs => ({
  host: 'sync.example.org',
  publicUrl: 'https://sync.example.org/',
  kind: 'completed',
  run: {
    id: 7,
    createdAt: new Date('2026-11-25T10:00:00Z'),
    finishedAt: new Date('2026-11-25T10:05:00Z'),
    errorCount: 2,
    counts: { created: 1204, blocked: 3 },
    planCounts: {},
    holdReason: null,
    holdDetail: null,
    failureMessage: null,
    cancelReason: null,
  },
  event: {},
  previousErrors: 5,
  errorLines: ['ERROR: (<b>x</b>) bad & worse'],
  errorLineTotal: 1,
  ...over,
});

describe('renderReportEmail', () => {
  it('says the outcome in the subject and the first line, and the counts and the run page in the body', () => {
    const mail = renderReportEmail(buildRunReport(inputs()), 'attached');
    expect(mail.subject).toBe('Complete with errors: 2 errors, 1,204 created, 3 blocked — usersync sync.example.org');
    expect(mail.text.split('\n')[0]).toBe('Complete with errors: 2 errors, 1,204 created, 3 blocked');
    expect(mail.text).toContain('Outcome: Run 7 applied, with errors (below)');
    expect(mail.text).toContain('Changes: created 1,204, updated 0, reactivated 0, blocked 3, unchanged 0');
    expect(mail.text).toContain('Run page: https://sync.example.org/runs/7');
  });

  it('keeps Haplo’s subject with NOTIFY_SUBJECT_STYLE=haplo: the error delta (a missing previous run counts 0)', () => {
    expect(renderReportEmail(buildRunReport(inputs()), '', 'haplo').subject).toBe(
      'User feed report / -3 / sync.example.org',
    );
    expect(renderReportEmail(buildRunReport(inputs({ previousErrors: null })), '', 'haplo').subject).toBe(
      'User feed report / 2 / sync.example.org',
    );
  });

  it('escapes log text in the HTML part and keeps it verbatim in the text part', () => {
    const mail = renderReportEmail(buildRunReport(inputs()), 'attached');
    expect(mail.html).toContain('ERROR: (&lt;b&gt;x&lt;/b&gt;) bad &amp; worse');
    expect(mail.html).not.toContain('<b>x</b>');
    expect(mail.text).toContain('ERROR: (<b>x</b>) bad & worse');
  });

  it('says what a held run would do and links to its review', () => {
    const report = buildRunReport(
      inputs({
        kind: 'held',
        event: { holdReason: 'block_threshold', holdDetail: 'would block 1,204 users (14% of 8,600; limit 10%)' },
        run: { ...inputs().run, planCounts: { blocked: 1204 } },
      }),
    );
    const mail = renderReportEmail(report, '');
    expect(mail.subject).toBe('Held: would block 1,204 users, 2 errors — usersync sync.example.org');
    expect(mail.text).toContain('If applied: would block 1,204 users (14% of 8,600; limit 10%)');
    expect(mail.text).toContain('Planned changes: created 0, updated 0, reactivated 0, blocked 1,204');
    expect(mail.text).toContain('Review and apply: https://sync.example.org/runs/7');
    expect(report.appliedAt).toBeNull();
  });

  it('lists the users a held run would block, escaped, with links to the review and to the blocks', () => {
    const users = [
      { username: 'alice', displayName: 'Alice Smith', department: 'Chemistry' },
      { username: '<b>bob</b>', displayName: null, department: null },
    ];
    const report = buildRunReport(
      inputs({
        kind: 'held',
        event: { holdReason: 'block_threshold', holdDetail: 'would block 200 users (20% of 1,000; limit 10%)' },
        run: { ...inputs().run, errorCount: 0, planCounts: { blocked: 200 } },
        blocked: { users, total: 200 },
      }),
    );
    const mail = renderReportEmail(report, '');
    expect(mail.subject).toBe('Held: would block 200 users — usersync sync.example.org');
    expect(mail.text).toContain(
      [
        'Users this run would block: the first 2 of 200',
        '- alice (Alice Smith), Chemistry',
        '- <b>bob</b>',
        'All blocks in the plan: https://sync.example.org/runs/7/plan?action=block',
      ].join('\n'),
    );
    expect(mail.html).toContain('<td>alice</td><td>Alice Smith</td><td>Chemistry</td>');
    expect(mail.html).toContain('<td>&lt;b&gt;bob&lt;/b&gt;</td>');
    expect(mail.html).toContain('<a href="https://sync.example.org/runs/7/plan?action=block">');
    expect(mail.html).toContain('<a href="https://sync.example.org/runs/7">');
  });

  it('names the run a partial approval’s follow-up continues', () => {
    const report = buildRunReport(
      inputs({
        kind: 'held',
        event: { holdReason: 'partial_remainder' },
        run: { ...inputs().run, remainderOf: 6, holdDetail: '3 planned changes of run 6 were kept back' },
      }),
    );
    const mail = renderReportEmail(report, '');
    expect(mail.text).toContain('Continues run: 6, applied in part: this run holds the rest');
    expect(mail.text).toContain('Run 6: https://sync.example.org/runs/6');
    expect(mail.text).toContain('If applied: 3 planned changes of run 6 were kept back');
  });

  it('takes the host from PUBLIC_URL unless REPORT_HOSTNAME is set', () => {
    expect(reportHost('https://portal.example.org:8443/x')).toBe('portal.example.org');
    expect(reportHost('https://portal.example.org', 'hr-sync')).toBe('hr-sync');
  });
});
