/**
 * POSTs the signed report to the reporting endpoint, retrying in process with exponential backoff:
 * network errors, timeouts, 408, 429 and 5xx are retried; any other 4xx is permanent (the receiver
 * refused this body, sending it again will not change that).
 */
import { SIGNATURE_HEADER, signWebhook } from '../domain/webhook-signature.js';

/** Options of one webhook delivery. */
export interface WebhookPost {
  url: string;
  body: string;
  secret: string;
  timeoutMs: number;
  /** POSTs to make at most in this call. */
  attempts: number;
  /** Delay before the second POST; doubles after each failure (capped at 30 s). */
  retryBaseMs: number;
}

/** How the POSTs went. */
export interface WebhookOutcome {
  delivered: boolean;
  /** A failure that retrying will not fix. */
  permanent: boolean;
  attemptsMade: number;
  lastError?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const retryableStatus = (s: number) => s === 408 || s === 429 || s >= 500;

/** Sends the POST up to `attempts` times; each attempt is signed afresh (its own timestamp). */
export async function postWebhook(p: WebhookPost): Promise<WebhookOutcome> {
  let lastError = '';
  for (let attempt = 1; attempt <= p.attempts; attempt++) {
    if (attempt > 1) await sleep(Math.min(p.retryBaseMs * 2 ** (attempt - 2), 30_000));
    try {
      const res = await fetch(p.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'usersync-notify-worker',
          [SIGNATURE_HEADER]: signWebhook(p.secret, p.body),
        },
        body: p.body,
        signal: AbortSignal.timeout(p.timeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel();
      if (res.ok) return { delivered: true, permanent: false, attemptsMade: attempt };
      lastError = `HTTP ${res.status}`;
      if (!retryableStatus(res.status)) return { delivered: false, permanent: true, attemptsMade: attempt, lastError };
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string } };
      lastError =
        e.name === 'TimeoutError' ? `timeout after ${p.timeoutMs} ms` : (e.cause?.code ?? e.message ?? 'error');
    }
  }
  return { delivered: false, permanent: false, attemptsMade: p.attempts, lastError };
}
