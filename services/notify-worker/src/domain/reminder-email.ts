/**
 * The reminder of a run held too long (NOTIFY_HELD_REMINDER_HOURS): sent once per run to the report
 * addresses, saying how long it has waited, why it is held, what it would do and where to decide.
 */
import {
  blockedHtml,
  blockedText,
  countsRow,
  escapeHtml,
  rowsHtml,
  rowsText,
  type RenderedEmail,
  type Row,
} from './email-parts.js';
import { heldFor, reminderSubject } from './report-subject.js';
import type { RunReport } from './run-report.js';

/** How long the run has been held, by the database's clock, and since when. */
export interface HeldAge {
  heldSince: Date;
  heldForMs: number;
}

/** Renders the reminder of `r` (a report built as for sync.run.held). */
export function renderReminderEmail(r: RunReport, age: HeldAge): RenderedEmail {
  const headline = `Reminder: run ${r.runId} has been held for ${heldFor(age.heldForMs)}`;
  const intro = `Run ${r.runId} on ${r.host} has been waiting for an admin since ${age.heldSince.toISOString()}.`;
  const rows: Row[] = [];
  if (r.holdText) rows.push({ label: 'Hold reason', value: r.holdText });
  if (r.holdDetail) rows.push({ label: 'If applied', value: r.holdDetail });
  rows.push(countsRow(r), { label: 'Review and apply', value: r.runUrl, link: true });
  const closing = 'Apply it, apply part of it, or cancel it on the review page. This reminder is sent once per run.';
  const text = [headline, '', intro, '', ...rowsText(rows), '', ...blockedText(r), closing, ''].join('\n');
  const e = escapeHtml;
  const html = [
    '<!doctype html><html><body>',
    `<h1>${e(headline)}</h1>`,
    `<p>${e(intro)}</p>`,
    rowsHtml(rows),
    blockedHtml(r),
    `<p>${e(closing)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: reminderSubject(r.runId, age.heldForMs, r.host), text, html };
}
