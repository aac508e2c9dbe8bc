/** Writing to the outbox, inside the transaction that records the fact the event announces. */
import type pg from 'pg';
import { assertIdentifier, quoteIdent } from '../db/identifiers.js';

/** An event waiting in the outbox. */
export interface OutboxEvent {
  /** uuid; becomes the JetStream Nats-Msg-Id, so a re-send within the duplicate window is dropped. */
  eventId: string;
  /** A concrete subject, e.g. 'sync.run.queued'. */
  subject: string;
  /** The encoded message (see @usersync/contracts codec). */
  payload: Uint8Array;
  headers?: Record<string, string>;
}

/** The LISTEN/NOTIFY channel the relay of `owner` waits on. */
export function outboxChannel(owner: string): string {
  return `usersync_outbox_${assertIdentifier(owner, 'owner')}`;
}

/**
 * Adds `e` to `<owner>.outbox` on the caller's client, which must be inside the caller's transaction:
 * the event then commits or rolls back with the change it announces. The NOTIFY that wakes the relay
 * is transactional too, so it is delivered on commit only.
 */
export async function enqueueEvent(client: pg.ClientBase, owner: string, e: OutboxEvent): Promise<void> {
  await client.query(
    `WITH ins AS (
       INSERT INTO ${quoteIdent(owner)}.outbox (event_id, subject, payload, headers) VALUES ($1, $2, $3, $4) RETURNING id
     )
     SELECT pg_notify($5, '') FROM ins`,
    [
      e.eventId,
      e.subject,
      Buffer.from(e.payload.buffer, e.payload.byteOffset, e.payload.byteLength),
      e.headers ? JSON.stringify(e.headers) : null,
      outboxChannel(owner),
    ],
  );
}
