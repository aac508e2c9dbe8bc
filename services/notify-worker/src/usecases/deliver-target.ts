/**
 * One delivery of one report to one target, with its outcome recorded in notify.delivery. Transient
 * failures leave the row pending (the event is nak'ed and redelivered with backoff) until the last
 * delivery of the event or the webhook's attempt limit, when the row is marked failed.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ReportTarget as DeliveryTarget } from '@usersync/run-state';
import type { RenderedEmail } from '../domain/email-parts.js';
import { withDelivery, type DeliveryEventKind, type DeliveryStatus, type SendResult } from '@usersync/notify-state';
import {
  describeSmtpError,
  isPermanentSmtpError,
  type EmailSender,
  type MailAttachment,
} from '../clients/email.sender.js';
import { postWebhook } from '../clients/webhook.sender.js';

/** Webhook settings from the service config. */
export interface WebhookSettings {
  /** Undefined: webhooks are not sent unsigned, the delivery is recorded as failed. */
  secret: string | undefined;
  timeoutMs: number;
  attemptsPerDelivery: number;
  maxAttempts: number;
  retryBaseMs: number;
}

/** What every target of one event (or of one reminder) shares. */
export interface DeliveryContext {
  pool: pg.Pool;
  log: Logger;
  /** null for an alarm about no run (a silence). */
  runId: number | null;
  /** The event's id; a reminder's is made from its run id (`reminder:<id>`), so it is sent once per run. */
  eventId: string;
  kind: DeliveryEventKind;
  /** Whether a transient failure is final now, given the row's attempts so far (the event's last delivery). */
  finalAttempt: (attemptsSoFar: number) => boolean;
  email: EmailSender;
  /** Rendered once, on first use, and only when an email is actually sent. */
  emailContent: () => Promise<{ mail: RenderedEmail; attachments: MailAttachment[] }>;
  /** Absent for a reminder, which is emailed only. */
  webhookBody?: string;
  webhook: WebhookSettings;
}

async function sendEmail(ctx: DeliveryContext, to: string, attemptsSoFar: number): Promise<SendResult> {
  const { mail, attachments } = await ctx.emailContent();
  try {
    await ctx.email.send(to, mail, attachments);
    return { status: 'delivered', attemptsMade: 1 };
  } catch (err) {
    const error = describeSmtpError(err);
    const final = isPermanentSmtpError(err) || ctx.finalAttempt(attemptsSoFar);
    ctx.log.warn({ channel: 'email', error, final }, final ? 'email failed' : 'email failed; will retry');
    return { status: final ? 'failed' : 'pending', attemptsMade: 1, error };
  }
}

async function sendWebhook(ctx: DeliveryContext, url: string, attemptsSoFar: number): Promise<SendResult> {
  const w = ctx.webhook;
  if (ctx.webhookBody === undefined) return { status: 'failed', attemptsMade: 0, error: 'nothing to POST' };
  if (!w.secret)
    return { status: 'failed', attemptsMade: 0, error: 'WEBHOOK_SECRET is not set: reports are never sent unsigned' };
  const allowed = Math.min(w.attemptsPerDelivery, w.maxAttempts - attemptsSoFar);
  if (allowed <= 0) return { status: 'failed', attemptsMade: 0, error: 'attempt limit reached' };
  const out = await postWebhook({
    url,
    body: ctx.webhookBody,
    secret: w.secret,
    timeoutMs: w.timeoutMs,
    attempts: allowed,
    retryBaseMs: w.retryBaseMs,
  });
  if (out.delivered) return { status: 'delivered', attemptsMade: out.attemptsMade };
  const final = out.permanent || ctx.finalAttempt(attemptsSoFar) || attemptsSoFar + out.attemptsMade >= w.maxAttempts;
  ctx.log.warn(
    { channel: 'webhook', error: out.lastError, final },
    final ? 'webhook failed' : 'webhook failed; will retry',
  );
  return { status: final ? 'failed' : 'pending', attemptsMade: out.attemptsMade, error: out.lastError };
}

/** Delivers to one target unless its row says it is done; returns the row's status ('busy': another worker has it). */
export function deliverTo(ctx: DeliveryContext, target: DeliveryTarget): Promise<DeliveryStatus | 'busy'> {
  const key = {
    runId: ctx.runId,
    eventId: ctx.eventId,
    kind: ctx.kind,
    channel: target.channel,
    recipient: target.recipient,
  };
  return withDelivery(ctx.pool, key, (state) => {
    if (target.invalid) return Promise.resolve({ status: 'failed', attemptsMade: 0, error: target.invalid });
    return target.channel === 'email'
      ? sendEmail(ctx, target.recipient, state.attempts)
      : sendWebhook(ctx, target.recipient, state.attempts);
  });
}
