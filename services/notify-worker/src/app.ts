import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { Streams } from '@usersync/contracts';
import { defineService, type DeclaredService } from '@usersync/platform';
import { createEmailSender } from './clients/email.sender.js';
import { createDepartmentLookup } from './clients/lookup.client.js';
import type { Config } from './config.js';
import { reportHost } from './domain/run-report.js';
import { runOutcomeHandler } from './handlers/run-outcome.handler.js';
import { heldReminderTask } from './usecases/held-reminders.js';
import { alarmTask } from './usecases/alarm-pass.js';

export const SERVICE = 'notify-worker';
/** The schema this service owns (deliveries). */
export const OWNER = 'notify';
/** Durable consumer of run outcomes (sync.run.>; NATS 2.9 allows one filter subject per consumer). */
export const CONSUMER = 'notify-worker';
const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * notify-worker: schema `notify`, the SMTP transport, the durable consumer of run outcomes, which
 * sends each report by email and webhook and records every delivery, and the reminder task for runs
 * held too long.
 */
export function createApp(config: Config, log: Logger): Promise<DeclaredService> {
  return defineService(
    {
      name: SERVICE,
      log,
      database: { url: config.DATABASE_URL, owner: { name: OWNER, migrationsDir: MIGRATIONS } },
      messaging: { url: config.NATS_URL, streams: [Streams.SYNC_RUNS] },
    },
    ({ pool }) => {
      const host = reportHost(config.PUBLIC_URL, config.REPORT_HOSTNAME);
      const email = createEmailSender({
        smtpUrl: config.SMTP_URL,
        from: config.REPORT_FROM ?? `usersync <usersync@${host}>`,
      });
      const lookup = createDepartmentLookup(config.LOOKUP_SERVICE_ADDR, { deadlineMs: config.LOOKUP_TIMEOUT_MS, log });
      const sources = { pool, publicUrl: config.PUBLIC_URL, host, lookup };
      const webhook = {
        secret: config.WEBHOOK_SECRET || undefined,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        attemptsPerDelivery: config.WEBHOOK_ATTEMPTS_PER_DELIVERY,
        maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
        retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
      };
      const handler = runOutcomeHandler({
        ...sources,
        email,
        subjectStyle: config.NOTIFY_SUBJECT_STYLE,
        attachMaxBytes: config.REPORT_ATTACH_MAX_BYTES,
        maxDeliver: config.NOTIFY_MAX_DELIVER,
        webhook,
      });
      const reminders =
        config.NOTIFY_HELD_REMINDER_HOURS > 0
          ? [
              heldReminderTask(
                {
                  ...sources,
                  email,
                  log,
                  hours: config.NOTIFY_HELD_REMINDER_HOURS,
                  maxAttempts: config.NOTIFY_MAX_DELIVER,
                  webhook,
                },
                config.NOTIFY_REMINDER_CHECK_MS,
              ),
            ]
          : [];
      const alarms =
        config.NOTIFY_ALARM_CHECK_MS > 0
          ? [
              alarmTask(
                {
                  pool,
                  log,
                  email,
                  webhook,
                  host,
                  publicUrl: config.PUBLIC_URL,
                  maxAttempts: config.NOTIFY_MAX_DELIVER,
                  settings: {
                    noUploadHours: config.NOTIFY_ALARM_NO_UPLOAD_HOURS,
                    noSuccessHours: config.NOTIFY_ALARM_NO_SUCCESS_HOURS,
                  },
                },
                config.NOTIFY_ALARM_CHECK_MS,
              ),
            ]
          : [];
      if (!config.WEBHOOK_SECRET) log.warn('WEBHOOK_SECRET is not set: webhook reports will be recorded as failed');
      if (!config.LOOKUP_SERVICE_ADDR?.trim()) log.info('LOOKUP_SERVICE_ADDR is not set: reports list no departments');
      return {
        consumers: [
          {
            stream: Streams.SYNC_RUNS.name,
            durable: CONSUMER,
            filterSubject: 'sync.run.>',
            maxDeliver: config.NOTIFY_MAX_DELIVER,
            handler,
            backoffMs: (n) => Math.min(config.NOTIFY_BACKOFF_BASE_MS * 2 ** (n - 1), config.NOTIFY_BACKOFF_MAX_MS),
          },
        ],
        healthPort: config.HEALTH_PORT,
        tasks: [...reminders, ...alarms],
        close: [() => email.close(), () => lookup.close()],
      };
    },
  );
}
