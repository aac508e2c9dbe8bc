/**
 * Key revocations from NATS. key-service publishes `sync.key.revoked` to JetStream (stream
 * SYNC_KEYS) through its outbox; JetStream publishes are delivered to plain core subscribers too,
 * so every verifier replica gets every revocation without a durable consumer of its own.
 *
 * The platform does not depend on @usersync/contracts, so the caller passes the payload decoder:
 * `decodeKeyId: (data) => decodeEvent('sync.key.revoked', data).keyId`.
 */
import { Events, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { RevocationSource } from './key-verifier.js';

/** The subject key-service publishes revocations on. */
export const KEY_REVOKED_SUBJECT = 'sync.key.revoked';

/** Options for {@link natsRevocations}. */
export interface NatsRevocationsOptions {
  /** Reads the revoked key's id from a message payload (eventsV1.KeyRevoked). */
  decodeKeyId: (data: Uint8Array) => string;
  /** Default `sync.key.revoked`. */
  subject?: string;
  log?: Logger;
}

/**
 * A revocation source over a core NATS subscription. After a reconnect the listener is reset
 * (the whole cache dropped), since revocations published while disconnected were missed.
 */
export function natsRevocations(nc: NatsConnection, opts: NatsRevocationsOptions): RevocationSource {
  const subject = opts.subject ?? KEY_REVOKED_SUBJECT;
  return (listener) => {
    let stopped = false;
    const sub = nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          opts.log?.warn({ err, subject }, 'revocation subscription failed; cache dropped');
          listener.reset();
          return;
        }
        try {
          const keyId = opts.decodeKeyId(msg.data);
          if (keyId) listener.revoked(keyId);
          else listener.reset();
        } catch (err) {
          // An undecodable revocation still means some key was revoked: forget them all.
          opts.log?.warn({ err, subject }, 'undecodable revocation; cache dropped');
          listener.reset();
        }
      },
    });
    const status = nc.status()[Symbol.asyncIterator]();
    void (async () => {
      for (;;) {
        const next = await status.next();
        if (next.done || stopped) return;
        if (next.value.type === Events.Reconnect || next.value.type === Events.Disconnect) listener.reset();
      }
    })().catch((err: unknown) => opts.log?.warn({ err }, 'nats status watch ended'));
    return {
      stop() {
        stopped = true;
        if (!sub.isClosed()) sub.unsubscribe();
        void status.return?.();
      },
    };
  };
}
