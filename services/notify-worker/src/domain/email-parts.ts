/**
 * What the report and the reminder emails share: escaping, label/value rows and the blocked-users list,
 * each as plain text and as HTML saying the same. Everything from the run, the plan or the log is escaped
 * in the HTML part: usernames, names and log lines quote feed data, which is untrusted.
 */
import type { BlockedList, RunReport } from './run-report.js';

/** Subject, text and HTML of one email. */
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

export const num = (n: number) => n.toLocaleString('en-US');

/** One `label: value` line; `link` rows are URLs, made links in HTML. */
export interface Row {
  label: string;
  value: string;
  link?: boolean;
}

export const rowsText = (rows: Row[]): string[] => rows.map((r) => `${r.label}: ${r.value}`);

export function rowsHtml(rows: Row[]): string {
  const e = escapeHtml;
  const cell = (r: Row) => (r.link ? `<a href="${e(r.value)}">${e(r.value)}</a>` : e(r.value));
  return `<table>${rows.map((r) => `<tr><th align="left">${e(r.label)}</th><td>${cell(r)}</td></tr>`).join('')}</table>`;
}

/** The planned or applied changes, e.g. `created 1,204, updated 0, …`. */
export function countsRow(r: RunReport): Row {
  const c = r.counts;
  return {
    label: r.countsArePlanned ? 'Planned changes' : 'Changes',
    value:
      `created ${num(c.created)}, updated ${num(c.updated)}, reactivated ${num(c.reactivated)}, ` +
      `blocked ${num(c.blocked)}, unchanged ${num(c.unchanged)}`,
  };
}

function blockedHeading(b: BlockedList, held: boolean): string {
  const who = held ? 'Users this run would block' : 'Users this run blocked';
  return b.users.length < b.total
    ? `${who}: the first ${num(b.users.length)} of ${num(b.total)}`
    : `${who}: ${num(b.total)}`;
}

/** `alice (Alice Smith), Chemistry`: the department and name where known. */
const blockedUserText = (u: BlockedList['users'][number]) =>
  `${u.username}${u.displayName ? ` (${u.displayName})` : ''}${u.department ? `, ${u.department}` : ''}`;

/** The blocked users as text lines (none when nobody is blocked). */
export function blockedText(r: RunReport): string[] {
  const b = r.blocked;
  if (!b) return [];
  return [
    `${blockedHeading(b, r.status === 'held')}`,
    ...b.users.map((u) => `- ${blockedUserText(u)}`),
    `All blocks in the plan: ${b.url}`,
    '',
  ];
}

/** The blocked users as an HTML table (empty when nobody is blocked). */
export function blockedHtml(r: RunReport): string {
  const b = r.blocked;
  if (!b) return '';
  const e = escapeHtml;
  const rows = b.users
    .map((u) => `<tr><td>${e(u.username)}</td><td>${e(u.displayName ?? '')}</td><td>${e(u.department ?? '')}</td></tr>`)
    .join('');
  return [
    `<h2>${e(blockedHeading(b, r.status === 'held'))}</h2>`,
    `<table><tr><th align="left">Username</th><th align="left">Name</th><th align="left">Department</th></tr>${rows}</table>`,
    `<p><a href="${e(b.url)}">All blocks in the plan</a></p>`,
  ].join('\n');
}
