/**
 * The alarm pass (issue 18): at the pass's clock (injectable), raise the silence and mismatch alarms that
 * hold (domain/alarms.ts), clear those that no longer do, and deliver each new or undelivered alarm to the
 * report addresses and the report endpoint like a report: one delivery row per target (kind `alarm`, event id
 * `alarm:<key>`), so a second pass, a restart or a second replica sends nothing twice; the webhook is signed.
 * A metric counts the alarms raised by kind. Runs periodically (NOTIFY_ALARM_CHECK_MS).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { counter } from '@usersync/platform';
import { clearAlarms, raiseAlarm } from '@usersync/notify-state';
import { countMismatchesSince, lastActivity, loadSyncConfig, reportTargetsOf } from '@usersync/run-state';
import type { EmailSender } from '../clients/email.sender.js';
import { alarmsAt, alarmWebhookBody, renderAlarmEmail, type Alarm, type AlarmSettings } from '../domain/alarms.js';
import { deliverTo, type DeliveryContext, type WebhookSettings } from './deliver-target.js';

export interface AlarmDeps {
  pool: pg.Pool;
  log: Logger;
  email: EmailSender;
  webhook: WebhookSettings;
  host: string;
  publicUrl: string;
  settings: AlarmSettings;
  /** Sends of one alarm delivery (one per pass) before it is recorded as failed. */
  maxAttempts: number;
  /** The pass's clock (default the system clock): tests move it. */
  now?: () => Date;
}

/** Mismatches are looked for among the runs finished this long before the pass. */
const MISMATCH_LOOKBACK_MS = 24 * 3_600_000;

const raisedTotal = counter('usersync_alarms_raised_total', 'Silence and mismatch alarms raised, by kind', ['kind']);

async function deliver(deps: AlarmDeps, alarm: Alarm, raisedAt: Date): Promise<void> {
  const { config } = await loadSyncConfig(deps.pool);
  const ctx: DeliveryContext = {
    pool: deps.pool,
    log: deps.log.child({ alarm: alarm.key }),
    // A silence is about no run: its delivery rows have none (migration 004).
    runId: alarm.runId,
    eventId: `alarm:${alarm.key}`,
    kind: 'alarm',
    finalAttempt: (attemptsSoFar) => attemptsSoFar + 1 >= deps.maxAttempts,
    email: deps.email,
    emailContent: () =>
      Promise.resolve({
        mail: renderAlarmEmail(alarm, { host: deps.host, publicUrl: deps.publicUrl }),
        attachments: [],
      }),
    webhookBody: alarmWebhookBody(alarm, { host: deps.host, raisedAt }),
    webhook: deps.webhook,
  };
  for (const target of reportTargetsOf(config)) await deliverTo(ctx, target);
}

/** One pass; returns the alarms that hold now. */
export async function checkAlarms(deps: AlarmDeps): Promise<Alarm[]> {
  const now = deps.now?.() ?? new Date();
  const last = await lastActivity(deps.pool);
  const mismatches = await countMismatchesSince(deps.pool, new Date(now.getTime() - MISMATCH_LOOKBACK_MS));
  const alarms = alarmsAt(now, last, mismatches, deps.settings);
  for (const kind of ['no_upload', 'no_success', 'count_mismatch'] as const) {
    const keep = alarms.filter((a) => a.kind === kind).map((a) => a.key);
    await clearAlarms(deps.pool, kind, now, keep);
  }
  for (const a of alarms) {
    const { alarm, raised } = await raiseAlarm(deps.pool, { ...a, at: now });
    if (raised) {
      raisedTotal.inc({ kind: a.kind });
      deps.log.warn({ kind: a.kind, detail: a.detail }, 'alarm raised');
    }
    await deliver(deps, a, alarm.raisedAt);
  }
  return alarms;
}

/** The periodic task: a pass at start, then every `everyMs`; passes never overlap; stop() waits for one. */
export function alarmTask(deps: AlarmDeps, everyMs: number): { start(): void; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const pass = () => {
    running ??= checkAlarms(deps)
      .catch((err: unknown) => deps.log.warn({ err }, 'alarm pass failed'))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    start() {
      pass();
      timer = setInterval(pass, everyMs).unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
