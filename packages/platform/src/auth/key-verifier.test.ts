import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NatsConnection } from 'nats';
import { pino } from 'pino';
import { startTestNats, type TestNats } from '@usersync/devstack';
import { connectNats } from '../nats/connect.js';
import { ensureStreams } from '../nats/jetstream-setup.js';
import { createKeyVerifier, type KeyVerificationResult } from './key-verifier.js';
import { natsRevocations } from './nats-revocations.js';

const log = pino({ level: 'silent' });

interface Answer extends KeyVerificationResult {
  reason: string;
}

/** A hand-written authority: `good-*` secrets are valid keys holding `sync:upload`. */
function authority() {
  const revoked = new Set<string>();
  const calls: Array<{ secret: string; scope: string }> = [];
  const verify = async (secret: string, scope: string): Promise<Answer> => {
    calls.push({ secret, scope });
    const keyId = `id-${secret}`;
    if (!secret.startsWith('good-')) return { valid: false, keyId: '', scopes: [], reason: 'unknown' };
    if (revoked.has(keyId)) return { valid: false, keyId, scopes: ['sync:upload'], reason: 'revoked' };
    if (scope !== '' && scope !== 'sync:upload')
      return { valid: false, keyId, scopes: ['sync:upload'], reason: 'missing_scope' };
    return { valid: true, keyId, scopes: ['sync:upload'], reason: '' };
  };
  return { verify, calls, revoked };
}

describe(createKeyVerifier.name, () => {
  it('answers a repeated check from the cache without a second verify call', async () => {
    const auth = authority();
    const verifier = createKeyVerifier({ verify: auth.verify });
    expect((await verifier.verify('good-a', 'sync:upload')).valid).toBe(true);
    expect((await verifier.verify('good-a', 'sync:upload')).valid).toBe(true);
    expect((await verifier.verify('good-a', '')).valid).toBe(true);
    expect(auth.calls).toHaveLength(1);
    expect(verifier.stats()).toMatchObject({ hits: 2, misses: 1, entries: 1 });
  });

  it('does not cache refusals', async () => {
    const auth = authority();
    const verifier = createKeyVerifier({ verify: auth.verify });
    expect((await verifier.verify('bad', 'sync:upload')).valid).toBe(false);
    expect((await verifier.verify('bad', 'sync:upload')).valid).toBe(false);
    expect((await verifier.verify('good-a', 'admin:all')).reason).toBe('missing_scope');
    expect((await verifier.verify('good-a', 'admin:all')).reason).toBe('missing_scope');
    expect(auth.calls).toHaveLength(4);
  });

  it('asks again once the cache TTL has passed', async () => {
    const auth = authority();
    let clock = 1_000_000;
    const verifier = createKeyVerifier({ verify: auth.verify, cacheTtlMs: 30_000, now: () => clock });
    await verifier.verify('good-a', 'sync:upload');
    clock += 29_999;
    await verifier.verify('good-a', 'sync:upload');
    expect(auth.calls).toHaveLength(1);
    clock += 1;
    await verifier.verify('good-a', 'sync:upload');
    expect(auth.calls).toHaveLength(2);
  });

  it('never trusts a cached key past its own expiry', async () => {
    let clock = 1_000_000;
    const calls: string[] = [];
    const verify = async (secret: string): Promise<Answer> => {
      calls.push(secret);
      const expired = clock >= 1_005_000;
      return expired
        ? { valid: false, keyId: 'id-x', scopes: ['sync:upload'], reason: 'expired' }
        : { valid: true, keyId: 'id-x', scopes: ['sync:upload'], reason: '', expiresAt: new Date(1_005_000) };
    };
    const verifier = createKeyVerifier({ verify, cacheTtlMs: 30_000, now: () => clock });
    expect((await verifier.verify('good-x', 'sync:upload')).valid).toBe(true);
    clock = 1_004_999;
    expect((await verifier.verify('good-x', 'sync:upload')).valid).toBe(true);
    expect(calls).toHaveLength(1);
    clock = 1_005_000;
    expect((await verifier.verify('good-x', 'sync:upload')).valid).toBe(false);
    expect(calls).toHaveLength(2);
  });

  it('drops a revoked key at once, and never caches an answer that raced the revocation', async () => {
    const auth = authority();
    const verifier = createKeyVerifier({ verify: auth.verify });
    await verifier.verify('good-a', 'sync:upload');
    auth.revoked.add('id-good-a');
    verifier.revoke('id-good-a');
    expect((await verifier.verify('good-a', 'sync:upload')).reason).toBe('revoked');

    // An answer in flight while a revocation arrives is returned but not cached.
    const inFlight = verifier.verify('good-b', 'sync:upload');
    verifier.revoke('id-good-b');
    expect((await inFlight).valid).toBe(true);
    expect(verifier.stats().entries).toBe(0);
  });

  it('shares one verify call between concurrent checks of the same secret', async () => {
    const auth = authority();
    const verifier = createKeyVerifier({ verify: auth.verify });
    const answers = await Promise.all(Array.from({ length: 20 }, () => verifier.verify('good-a', 'sync:upload')));
    expect(answers.every((a) => a.valid)).toBe(true);
    expect(auth.calls).toHaveLength(1);
  });

  it('keeps at most maxEntries secrets, evicting the least recently used', async () => {
    const auth = authority();
    const verifier = createKeyVerifier({ verify: auth.verify, maxEntries: 2 });
    await verifier.verify('good-a', '');
    await verifier.verify('good-b', '');
    await verifier.verify('good-a', ''); // a is now the most recent
    await verifier.verify('good-c', ''); // evicts b
    expect(verifier.stats().entries).toBe(2);
    auth.calls.length = 0;
    await verifier.verify('good-a', '');
    await verifier.verify('good-b', '');
    expect(auth.calls.map((c) => c.secret)).toEqual(['good-b']);
  });

  it('keys the cache by a hash: the secret is nowhere in the verifier state', async () => {
    const auth = authority();
    const verifier = createKeyVerifier({ verify: auth.verify });
    await verifier.verify('good-very-secret', '');
    expect(JSON.stringify(verifier.stats())).not.toContain('good-very-secret');
  });
});

describe(natsRevocations.name, () => {
  let server: TestNats;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startTestNats();
    nc = await connectNats({ url: server.url, name: 'key-verifier-test', log });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  const decodeKeyId = (data: Uint8Array) => new TextDecoder().decode(data);

  it('drops the entry within one second of a revocation published to JetStream', async () => {
    await ensureStreams(await nc.jetstreamManager(), [{ name: 'KEYS_TEST', subjects: ['sync.key.>'] }]);
    const auth = authority();
    const verifier = createKeyVerifier({ verify: auth.verify, revocations: natsRevocations(nc, { decodeKeyId, log }) });
    await nc.flush(); // the subscription is registered on the server
    await verifier.verify('good-a', 'sync:upload');
    await verifier.verify('good-z', 'sync:upload');
    expect(verifier.stats().entries).toBe(2);

    auth.revoked.add('id-good-a');
    await nc.jetstream().publish('sync.key.revoked', new TextEncoder().encode('id-good-a'));
    await vi.waitFor(() => expect(verifier.stats().revocations).toBe(1), { timeout: 1_000, interval: 10 });
    expect((await verifier.verify('good-a', 'sync:upload')).reason).toBe('revoked');
    // Other keys stay cached.
    const before = auth.calls.length;
    expect((await verifier.verify('good-z', 'sync:upload')).valid).toBe(true);
    expect(auth.calls).toHaveLength(before);
    verifier.close();
  });

  it('drops everything when a revocation cannot be decoded', async () => {
    const auth = authority();
    const verifier = createKeyVerifier({
      verify: auth.verify,
      revocations: natsRevocations(nc, {
        decodeKeyId: () => {
          throw new Error('bad payload');
        },
        log,
      }),
    });
    await nc.flush();
    await verifier.verify('good-a', '');
    nc.publish('sync.key.revoked', new Uint8Array([1, 2, 3]));
    await vi.waitFor(() => expect(verifier.stats().entries).toBe(0), { timeout: 1_000, interval: 10 });
    verifier.close();
  });
});
