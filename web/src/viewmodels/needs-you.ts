/**
 * The dashboard's "Needs you" block: what an admin should act on first, from GetRunAttention.
 * Held runs waiting for a decision, runs that failed since the last success, and staleness (no
 * upload / no successful run for STALE_HOURS). Alarms with their own thresholds come later in
 * their own partial; this block stays a fixed, simple default.
 */
import type { runsV1 } from '@usersync/contracts';
import { holdReasonText } from './runs.labels.js';
import type { TimeFormat } from './times.js';

/** Hours without an upload or a successful run before the dashboard says so. */
export const STALE_HOURS = 24;

export interface NeedsYouItem {
  /** warning (act now) or notice (worth knowing). */
  tone: 'warning' | 'notice';
  testid: string;
  text: string;
  href?: string;
  linkText?: string;
  at?: Date;
  /** Words after the time, e.g. "(3 h ago)." (the link, then text, then the time, then these). */
  ago?: string;
}

export interface NeedsYou {
  items: NeedsYouItem[];
  /** Shown when nothing needs the admin: when the last success was. */
  allClear?: { lastSuccessAt?: Date; ago: string };
}

/** The items, most urgent first: held runs, failures, staleness. */
export function buildNeedsYou(a: runsV1.GetRunAttentionResponse, t: TimeFormat, now = new Date()): NeedsYou {
  const items: NeedsYouItem[] = [];
  for (const run of a.held) {
    items.push({
      tone: 'warning',
      testid: 'needs-held',
      href: `/runs/${run.id}`,
      linkText: `Sync run ${run.id}`,
      text: `is held. ${holdReasonText(run.holdReason).replace(/\.$/, '')}${run.detail ? ` (${run.detail})` : ''}. Waiting for your decision since`,
      at: run.createdAt,
      ago: `(${t.ago(run.createdAt, now)}).`,
    });
  }
  if (a.failureCount > 0) {
    const newest = a.failures[0];
    const detail = newest?.detail ? `: ${newest.detail}` : '';
    const since = a.lastSuccessAt ? 'since the last successful run' : 'and no run has completed yet';
    const more = a.failureCount > 1 ? ` ${a.failureCount} runs have failed ${since}.` : '';
    items.push({
      tone: 'warning',
      testid: 'needs-failures',
      href: newest ? `/runs/${newest.id}` : undefined,
      linkText: newest ? `Sync run ${newest.id}` : undefined,
      text: 'failed',
      at: newest?.finishedAt,
      ago: `(${t.ago(newest?.finishedAt, now)})${detail}.${more}`,
    });
  }
  const staleMs = STALE_HOURS * 3600_000;
  const stale = (d: Date | undefined) => !d || now.getTime() - d.getTime() > staleMs;
  if (stale(a.lastUploadAt)) {
    items.push({
      tone: 'notice',
      testid: 'needs-stale-upload',
      text: a.lastUploadAt
        ? `No file has been uploaded for more than ${STALE_HOURS} hours: is the upload script still running? Last upload`
        : 'No file has ever been uploaded: set up the upload script with an API key (API keys, in the menu).',
      at: a.lastUploadAt,
      ago: a.lastUploadAt ? `(${t.ago(a.lastUploadAt, now)}).` : undefined,
    });
  }
  if (stale(a.lastSuccessAt) && a.lastSuccessAt) {
    items.push({
      tone: 'notice',
      testid: 'needs-stale-success',
      text: `No run has completed for more than ${STALE_HOURS} hours: the directory may be out of date. Last success`,
      at: a.lastSuccessAt,
      ago: `(${t.ago(a.lastSuccessAt, now)}).`,
    });
  }
  return items.length
    ? { items }
    : { items, allClear: { lastSuccessAt: a.lastSuccessAt, ago: t.ago(a.lastSuccessAt, now) } };
}
