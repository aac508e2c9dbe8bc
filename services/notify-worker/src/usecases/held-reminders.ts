/**
 * Reminders of runs held too long (NOTIFY_HELD_REMINDER_HOURS): a periodic pass finds the runs held at
 * least that long (run-state's heldRunsOlderThan) and emails each report address once per run. Each
 * reminder is a delivery (kind `reminder`, event id `reminder:<run id>`) sent with its row locked, so a
 * second pass, a restart or a second replica finds it delivered (or busy) and sends nothing again. SMTP
 * down: the row stays pending and the next pass tries again, until `maxAttempts`, then it is failed.
 */
import type { Logger } from 'pino';
import { heldRunsOlderThan, loadSyncConfig, reportTargetsOf, type HeldRunAge } from '@usersync/run-state';
import type { EmailSender } from '../clients/email.sender.js';
import { renderReminderEmail } from '../domain/reminder-email.js';
import { deliverTo, type DeliveryContext, type WebhookSettings } from './deliver-target.js';
import { loadReport, type ReportSources } from './load-report.js';

export interface ReminderDeps extends ReportSources {
  email: EmailSender;
  log: Logger;
  /** Remind of runs held at least this many hours; 0: never. */
  hours: number;
  /** Sends of one reminder (one per pass) before it is recorded as failed. */
  maxAttempts: number;
  /** Unused by reminders (email only); DeliveryContext wants one. */
  webhook: WebhookSettings;
}

/** The delivery event id of a run's reminder: one per run. */
export const reminderEventId = (runId: number): string => `reminder:${runId}`;

async function remind(deps: ReminderDeps, held: HeldRunAge, targets: ReturnType<typeof reportTargetsOf>) {
  const log = deps.log.child({ runId: held.runId });
  let content: ReturnType<DeliveryContext['emailContent']> | undefined;
  const render = async () => {
    const { report, run } = await loadReport(deps, 'held', held.runId, {});
    // Applied or cancelled since the pass began: throwing rolls the delivery row back, nothing is sent.
    if (run.status !== 'held') throw new Error(`run ${held.runId} is ${run.status} now`);
    return { mail: renderReminderEmail(report, held), attachments: [] };
  };
  const ctx: DeliveryContext = {
    pool: deps.pool,
    log,
    runId: held.runId,
    eventId: reminderEventId(held.runId),
    kind: 'reminder',
    finalAttempt: (attemptsSoFar) => attemptsSoFar + 1 >= deps.maxAttempts,
    email: deps.email,
    emailContent: () => (content ??= render()),
    webhook: deps.webhook,
  };
  const statuses = [];
  for (const target of targets) statuses.push(await deliverTo(ctx, target));
  if (content) log.info({ statuses }, 'held-run reminder sent');
}

/** One pass: every run held too long, reminded once per report address. */
export async function sendHeldReminders(deps: ReminderDeps): Promise<void> {
  if (deps.hours <= 0) return;
  const held = await heldRunsOlderThan(deps.pool, deps.hours);
  if (held.length === 0) return;
  const { config } = await loadSyncConfig(deps.pool);
  const targets = reportTargetsOf(config).filter((t) => t.channel === 'email');
  if (targets.length === 0) return;
  for (const run of held) {
    try {
      await remind(deps, run, targets);
    } catch (err) {
      deps.log.warn({ err, runId: run.runId }, 'held-run reminder not sent');
    }
  }
}

/** The periodic task: a pass at start, then every `everyMs`; passes never overlap; stop() waits for one. */
export function heldReminderTask(deps: ReminderDeps, everyMs: number): { start(): void; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const pass = () => {
    running ??= sendHeldReminders(deps)
      .catch((err: unknown) => deps.log.warn({ err }, 'held-run reminder pass failed'))
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
