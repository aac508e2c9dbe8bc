/**
 * Silence and mismatch alarms (issue 18), pure: which alarms hold at `now` given the last upload, the last
 * successful run and the runs whose counts disagree with their plan; and the email and webhook body of one.
 * A silence alarm's key carries the time it is about (the last upload or success), so one silence raises
 * one alarm however many passes see it, and the next silence raises a new one.
 */
import type { CountMismatch, LastActivity } from '@usersync/run-state';
import { escapeHtml, type RenderedEmail } from './email-parts.js';

export type AlarmKind = 'no_upload' | 'no_success' | 'count_mismatch';

export interface Alarm {
  key: string;
  kind: AlarmKind;
  runId: number | null;
  /** One sentence an admin acts on. */
  detail: string;
}

export interface AlarmSettings {
  /** Alarm when no file arrived for this many hours; 0: off. */
  noUploadHours: number;
  /** Alarm when no run completed for this many hours; 0: off. */
  noSuccessHours: number;
}

const hours = (ms: number) => {
  const h = Math.floor(ms / 3_600_000);
  return `${h.toLocaleString('en-US')} ${h === 1 ? 'hour' : 'hours'}`;
};

/** The alarms that hold now; a silence needs a first upload or success to be measured from. */
export function alarmsAt(now: Date, last: LastActivity, mismatches: CountMismatch[], s: AlarmSettings): Alarm[] {
  const alarms: Alarm[] = [];
  const silence = (kind: AlarmKind, at: Date | null, limit: number, what: string) => {
    if (limit <= 0 || !at || now.getTime() - at.getTime() <= limit * 3_600_000) return;
    alarms.push({
      key: `${kind}:${at.toISOString()}`,
      kind,
      runId: null,
      detail: `${what} for ${hours(now.getTime() - at.getTime())} (since ${at.toISOString()}; limit ${limit} hours)`,
    });
  };
  silence('no_upload', last.lastUploadAt, s.noUploadHours, 'No file has been uploaded');
  silence('no_success', last.lastSuccessAt, s.noSuccessHours, 'No sync run has completed');
  for (const m of mismatches) {
    alarms.push({
      key: `count_mismatch:${m.runId}`,
      kind: 'count_mismatch',
      runId: m.runId,
      detail: `Run ${m.runId} reported counts that do not match what it applied: ${m.differences.join('; ')}`,
    });
  }
  return alarms;
}

const TITLE: Record<AlarmKind, string> = {
  no_upload: 'no upload',
  no_success: 'no successful sync',
  count_mismatch: 'counts do not match',
};

/** The alarm email: what is wrong, since when, and where to look. */
export function renderAlarmEmail(a: Alarm, ctx: { host: string; publicUrl: string }): RenderedEmail {
  const subject = `Alarm: ${TITLE[a.kind]} — usersync ${ctx.host}`;
  const link = a.runId !== null ? `${ctx.publicUrl}/runs/${a.runId}` : `${ctx.publicUrl}/`;
  const text = [`ALARM: ${a.detail}`, '', `Look: ${link}`, ''].join('\n');
  const e = escapeHtml;
  const html = `<!doctype html><html><body><h1>Alarm: ${e(TITLE[a.kind])}</h1><p>${e(a.detail)}</p><p><a href="${e(link)}">${e(link)}</a></p></body></html>`;
  return { subject, text, html };
}

/** The signed webhook body of an alarm (the report endpoint tells it apart by `type`). */
export function alarmWebhookBody(a: Alarm, ctx: { host: string; raisedAt: Date }): string {
  return JSON.stringify({
    type: 'alarm',
    kind: a.kind,
    key: a.key,
    runId: a.runId,
    detail: a.detail,
    raisedAt: ctx.raisedAt.toISOString(),
    host: ctx.host,
  });
}
