/**
 * Subject lines. The default (`outcome`) says what happened, so an inbox list is enough to know whether
 * to act: `Held: would block 200 users — usersync <host>`. `haplo` keeps Haplo's
 * `User feed report / <error delta> / <host>` for mail filters built on it (NOTIFY_SUBJECT_STYLE).
 */
import type { RunReport } from './run-report.js';

export const SUBJECT_STYLES = ['outcome', 'haplo'] as const;
export type SubjectStyle = (typeof SUBJECT_STYLES)[number];

const num = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;

/** Haplo's subject line (reference §3.10). */
export const haploSubject = (r: RunReport): string => `User feed report / ${r.errorDelta} / ${r.host}`;

/** What a held run would do: `would block 200 users, create 12`; the first figure names its unit. */
function wouldDo(c: RunReport['counts']): string {
  const parts: Array<[string, number]> = (
    [
      ['block', c.blocked],
      ['create', c.created],
      ['update', c.updated],
      ['reactivate', c.reactivated],
    ] as Array<[string, number]>
  ).filter(([, n]) => n > 0);
  if (parts.length === 0) return 'no changes planned';
  return `would ${parts.map(([verb, n], i) => (i === 0 ? `${verb} ${plural(n, 'user')}` : `${verb} ${num(n)}`)).join(', ')}`;
}

/** What an applied run did: `12 created, 3 updated` ('no changes' when nothing). */
function applied(c: RunReport['counts']): string[] {
  return (
    [
      [c.created, 'created'],
      [c.updated, 'updated'],
      [c.reactivated, 'reactivated'],
      [c.blocked, 'blocked'],
    ] as Array<[number, string]>
  )
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${num(n)} ${what}`);
}

/** The outcome in a few words, e.g. `Complete with errors: 150,000 errors` (the subject without its host). */
export function outcomeHeadline(r: RunReport): string {
  switch (r.outcome) {
    case 'held':
      return `Held: ${wouldDo(r.counts)}${r.errors > 0 ? `, ${plural(r.errors, 'error')}` : ''}`;
    case 'complete': {
      const done = applied(r.counts);
      return `Complete: ${done.length ? done.join(', ') : 'no changes'}`;
    }
    case 'complete_with_errors':
      return `Complete with errors: ${[plural(r.errors, 'error'), ...applied(r.counts)].join(', ')}`;
    case 'failed':
      return 'Failed: nothing applied';
    case 'cancelled':
      return 'Cancelled';
  }
}

const suffix = (host: string) => ` — usersync ${host}`;

/** The report's subject in the configured style. */
export function reportSubject(r: RunReport, style: SubjectStyle = 'outcome'): string {
  return style === 'haplo' ? haploSubject(r) : `${outcomeHeadline(r)}${suffix(r.host)}`;
}

/** Whole hours a run has been held (rounded down). */
export const heldHours = (heldForMs: number): number => Math.floor(heldForMs / 3_600_000);

/** How long, in words: `26 hours` (`40 minutes` under an hour, for a reminder set below one hour). */
export function heldFor(heldForMs: number): string {
  const hours = heldHours(heldForMs);
  return hours >= 1 ? plural(hours, 'hour') : plural(Math.floor(heldForMs / 60_000), 'minute');
}

/** The reminder's subject: `Reminder: run 42 held for 26 hours — usersync <host>`. */
export function reminderSubject(runId: number, heldForMs: number, host: string): string {
  return `Reminder: run ${runId} held for ${heldFor(heldForMs)}${suffix(host)}`;
}
