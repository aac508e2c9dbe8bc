import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './webhook-signature.js';

describe('webhook signature', () => {
  const body = '{"runId":1}';
  const now = 1_800_000_000_000;

  it('signs "<t>.<body>" with HMAC-SHA256 and verifies it', () => {
    const header = signWebhook('s3cret', body, now);
    const t = now / 1000;
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', 's3cret').update(`${t}.${body}`).digest('hex')}`);
    expect(verifyWebhookSignature('s3cret', header, body, { nowMs: now + 1000 })).toEqual({ ok: true, timestamp: t });
  });

  it('rejects a changed body, a wrong secret, a replay outside the tolerance and a malformed header', () => {
    const header = signWebhook('s3cret', body, now);
    expect(verifyWebhookSignature('s3cret', header, '{"runId":2}', { nowMs: now })).toMatchObject({ ok: false });
    expect(verifyWebhookSignature('other', header, body, { nowMs: now })).toMatchObject({ ok: false });
    expect(verifyWebhookSignature('s3cret', header, body, { nowMs: now + 301_000 })).toEqual({
      ok: false,
      reason: 'timestamp outside tolerance',
    });
    expect(verifyWebhookSignature('s3cret', 'v1=abc', body, { nowMs: now })).toMatchObject({ ok: false });
    expect(verifyWebhookSignature('s3cret', undefined, body, { nowMs: now })).toMatchObject({ ok: false });
  });
});
