/**
 * The webhook signature: `X-Usersync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
 * (the Stripe scheme). Signing the timestamp with the body lets a receiver reject replays by t.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header the signature travels in. */
export const SIGNATURE_HEADER = 'X-Usersync-Signature';

const hmac = (secret: string, t: number, body: string) =>
  createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');

/** The header value for `body` signed at `nowMs`. */
export function signWebhook(secret: string, body: string, nowMs: number = Date.now()): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

/** Why a signature was rejected, or ok. */
export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * What a receiver does: parse the header, recompute the HMAC over the raw body, compare in constant
 * time, and reject a timestamp older (or newer) than `toleranceSec` (default 300).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  opts: { toleranceSec?: number; nowMs?: number } = {},
): SignatureCheck {
  if (!header) return { ok: false, reason: 'no signature header' };
  const parts = new Map(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return { ok: false, reason: 'malformed signature header' };
  const age = Math.abs((opts.nowMs ?? Date.now()) / 1000 - t);
  if (age > (opts.toleranceSec ?? 300)) return { ok: false, reason: 'timestamp outside tolerance' };
  const expected = Buffer.from(hmac(secret, t, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(v1, 'hex'))) return { ok: false, reason: 'signature mismatch' };
  return { ok: true, timestamp: t };
}
