/**
 * The report email (Haplo §3.10, extended): a subject that says the outcome (report-subject.ts), a
 * plain-text part and an HTML part saying the same — the outcome, counts, hold reason, the users a run
 * blocks with links to its review and to its blocks, and the log's ERROR lines.
 */
import {
  blockedHtml,
  blockedText,
  countsRow,
  escapeHtml,
  num,
  rowsHtml,
  rowsText,
  type RenderedEmail,
  type Row,
} from './email-parts.js';
import { outcomeHeadline, reportSubject, type SubjectStyle } from './report-subject.js';
import type { ReportOutcome, RunReport } from './run-report.js';

export { escapeHtml, type RenderedEmail } from './email-parts.js';

const OUTCOME: Record<ReportOutcome, string> = {
  complete: 'applied',
  complete_with_errors: 'applied, with errors (below)',
  failed: 'failed; nothing was applied',
  held: 'held: waiting for an admin to review it',
  cancelled: 'cancelled',
};

/** The label/value lines both parts share. */
function summary(r: RunReport): Row[] {
  const rows: Row[] = [
    { label: 'Outcome', value: `Run ${r.runId} ${OUTCOME[r.outcome]}` },
    { label: 'Sync run at', value: r.createdAt.toISOString() },
  ];
  if (r.appliedAt)
    rows.push({ label: r.status === 'complete' ? 'Applied at' : 'Finished at', value: r.appliedAt.toISOString() });
  rows.push(
    { label: 'Errors', value: num(r.errors) },
    { label: 'Change in error count', value: String(r.errorDelta) },
    countsRow(r),
  );
  if (r.holdText) rows.push({ label: 'Hold reason', value: r.holdText });
  if (r.holdDetail) rows.push({ label: 'If applied', value: r.holdDetail });
  if (r.remainderOf !== null)
    rows.push({ label: 'Continues run', value: `${r.remainderOf}, applied in part: this run holds the rest` });
  if (r.failure) rows.push({ label: 'Failure', value: r.failure });
  if (r.cancelReason) rows.push({ label: 'Cancel reason', value: r.cancelReason });
  rows.push({ label: r.status === 'held' ? 'Review and apply' : 'Run page', value: r.runUrl, link: true });
  if (r.remainderOfUrl) rows.push({ label: `Run ${r.remainderOf}`, value: r.remainderOfUrl, link: true });
  return rows;
}

function errorsHeading(r: RunReport): string {
  if (r.errorLineTotal === 0) return 'No ERROR lines in the log.';
  const shown = r.errorLines.length;
  return shown < r.errorLineTotal
    ? `ERROR lines: the first ${num(shown)} of ${num(r.errorLineTotal)}`
    : `ERROR lines: ${num(r.errorLineTotal)}`;
}

/**
 * Renders the email for a report; `attachmentNote` says whether the log is attached; `style` picks the
 * subject line (the body is the same in both).
 */
export function renderReportEmail(
  r: RunReport,
  attachmentNote: string,
  style: SubjectStyle = 'outcome',
): RenderedEmail {
  const rows = summary(r);
  const headline = outcomeHeadline(r);
  const text = [
    headline,
    '',
    `User sync report for ${r.host}`,
    '',
    ...rowsText(rows),
    '',
    ...blockedText(r),
    errorsHeading(r),
    ...r.errorLines,
    '',
    attachmentNote,
    '',
  ].join('\n');

  const e = escapeHtml;
  const html = [
    '<!doctype html><html><body>',
    `<h1>${e(headline)}</h1>`,
    `<p>User sync report for ${e(r.host)}</p>`,
    `<h2>Change in error count: ${e(String(r.errorDelta))}</h2>`,
    rowsHtml(rows),
    blockedHtml(r),
    `<h2>Sync log</h2><p>${e(errorsHeading(r))}</p>`,
    r.errorLines.length ? `<pre>${r.errorLines.map(e).join('\n')}</pre>` : '',
    `<p>${e(attachmentNote)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: reportSubject(r, style), text, html };
}
