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
  it('puts a negative error delta and the host in the subject', () => {
    const mail = renderReportEmail(buildRunReport(inputs()), 'attached');
    expect(mail.subject).toBe('User feed report / -3 / sync.example.org');
    expect(mail.text).toContain('Changes: created 1,204, updated 0, reactivated 0, blocked 3, unchanged 0');
    expect(mail.text).toContain('Run page: https://sync.example.org/runs/7');
  });

  it('counts a missing previous run as 0 errors', () => {
    expect(renderReportEmail(buildRunReport(inputs({ previousErrors: null })), '').subject).toBe(
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
    expect(mail.text).toContain('If applied: would block 1,204 users (14% of 8,600; limit 10%)');
    expect(mail.text).toContain('Planned changes: created 0, updated 0, reactivated 0, blocked 1,204');
    expect(mail.text).toContain('Review and apply: https://sync.example.org/runs/7');
    expect(report.appliedAt).toBeNull();
  });

  it('takes the host from PUBLIC_URL unless REPORT_HOSTNAME is set', () => {
    expect(reportHost('https://portal.example.org:8443/x')).toBe('portal.example.org');
    expect(reportHost('https://portal.example.org', 'hr-sync')).toBe('hr-sync');
  });
});
