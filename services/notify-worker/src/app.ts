import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { Streams } from '@usersync/contracts';
import { defineService, type DeclaredService } from '@usersync/platform';
import { createEmailSender } from './clients/email.sender.js';
import type { Config } from './config.js';
import { reportHost } from './domain/run-report.js';
import { runOutcomeHandler } from './handlers/run-outcome.handler.js';

export const SERVICE = 'notify-worker';
/** The schema this service owns (deliveries). */
export const OWNER = 'notify';
/** Durable consumer of run outcomes (sync.run.>; NATS 2.9 allows one filter subject per consumer). */
export const CONSUMER = 'notify-worker';
const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * notify-worker: schema `notify`, the SMTP transport and the durable consumer of run outcomes, which
 * sends each report by email and webhook and records every delivery.
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
      const handler = runOutcomeHandler({
        pool,
        email,
        publicUrl: config.PUBLIC_URL,
        host,
        attachMaxBytes: config.REPORT_ATTACH_MAX_BYTES,
        maxDeliver: config.NOTIFY_MAX_DELIVER,
        webhook: {
          secret: config.WEBHOOK_SECRET || undefined,
          timeoutMs: config.WEBHOOK_TIMEOUT_MS,
          attemptsPerDelivery: config.WEBHOOK_ATTEMPTS_PER_DELIVERY,
          maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
          retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
        },
      });
      if (!config.WEBHOOK_SECRET) log.warn('WEBHOOK_SECRET is not set: webhook reports will be recorded as failed');
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
        close: [() => email.close()],
      };
    },
  );
}
