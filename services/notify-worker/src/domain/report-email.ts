/**
 * The report email (Haplo §3.10, extended): subject `User feed report / <error delta> / <host>`, a
 * plain-text part and an HTML part saying the same. Everything from the run or the log is escaped
 * in the HTML part: log lines quote feed data, which is untrusted.
 */
import type { RunReport } from './run-report.js';

/** Subject, text and HTML of one report. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const OUTCOME: Record<RunReport['status'], string> = {
  complete: 'applied',
  failure: 'failed; nothing was applied',
  held: 'held: waiting for an admin to review it',
  cancelled: 'cancelled',
};

const num = (n: number) => n.toLocaleString('en-US');

/** Haplo's subject line. */
export const reportSubject = (r: RunReport): string => `User feed report / ${r.errorDelta} / ${r.host}`;

/** The lines both parts share, as [label, value] pairs. */
function summary(r: RunReport): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Outcome', `Run ${r.runId} ${OUTCOME[r.status]}`],
    ['Sync run at', r.createdAt.toISOString()],
  ];
  if (r.appliedAt) rows.push([r.status === 'complete' ? 'Applied at' : 'Finished at', r.appliedAt.toISOString()]);
  rows.push(['Errors', num(r.errors)], ['Change in error count', String(r.errorDelta)]);
  const c = r.counts;
  rows.push([
    r.countsArePlanned ? 'Planned changes' : 'Changes',
    `created ${num(c.created)}, updated ${num(c.updated)}, reactivated ${num(c.reactivated)}, ` +
      `blocked ${num(c.blocked)}, unchanged ${num(c.unchanged)}`,
  ]);
  if (r.holdText) rows.push(['Hold reason', r.holdText]);
  if (r.holdDetail) rows.push(['If applied', r.holdDetail]);
  if (r.failure) rows.push(['Failure', r.failure]);
  if (r.cancelReason) rows.push(['Cancel reason', r.cancelReason]);
  rows.push([r.status === 'held' ? 'Review and apply' : 'Run page', r.runUrl]);
  return rows;
}

function errorsHeading(r: RunReport): string {
  if (r.errorLineTotal === 0) return 'No ERROR lines in the log.';
  const shown = r.errorLines.length;
  return shown < r.errorLineTotal
    ? `ERROR lines: the first ${num(shown)} of ${num(r.errorLineTotal)}`
    : `ERROR lines: ${num(r.errorLineTotal)}`;
}

/** Renders the email for a report; `attachmentNote` says whether the log is attached. */
export function renderReportEmail(r: RunReport, attachmentNote: string): RenderedEmail {
  const rows = summary(r);
  const text = [
    `User sync report for ${r.host}`,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    '',
    errorsHeading(r),
    ...r.errorLines,
    '',
    attachmentNote,
    '',
  ].join('\n');

  const e = escapeHtml;
  const cell = (k: string, v: string) =>
    k === 'Run page' || k === 'Review and apply'
      ? `<tr><th align="left">${e(k)}</th><td><a href="${e(v)}">${e(v)}</a></td></tr>`
      : `<tr><th align="left">${e(k)}</th><td>${e(v)}</td></tr>`;
  const html = [
    '<!doctype html><html><body>',
    `<h1>User sync report for ${e(r.host)}</h1>`,
    `<h2>Change in error count: ${e(String(r.errorDelta))}</h2>`,
    `<table>${rows.map(([k, v]) => cell(k, v)).join('')}</table>`,
    `<h2>Sync log</h2><p>${e(errorsHeading(r))}</p>`,
    r.errorLines.length ? `<pre>${r.errorLines.map(e).join('\n')}</pre>` : '',
    `<p>${e(attachmentNote)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: reportSubject(r), text, html };
}
