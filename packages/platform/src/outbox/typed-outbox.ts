/**
 * An owner's outbox, typed by subject: `outboxOf('runs').enqueue(client, 'sync.run.queued', event)`
 * encodes the event with the subject's message type (so a publisher cannot put the wrong message on
 * a subject) and writes it on the caller's transaction client. The only writer of `<owner>.outbox`
 * rows besides the relay; services never hand-write outbox SQL.
 */
import type pg from 'pg';
import { encodeEvent, type EventOf, type Subject } from '@usersync/contracts';
import { quoteIdent } from '../db/identifiers.js';
import { enqueueEvent, outboxChannel } from './enqueue-event.js';

/** The outbox of one owner (schema). */
export interface Outbox {
  readonly owner: string;
  /** Adds one event inside the caller's transaction; it commits or rolls back with the change it announces. */
  enqueue<S extends Subject>(client: pg.ClientBase, subject: S, event: EventOf<S>): Promise<void>;
  /** Adds many events of one subject in one statement (and one NOTIFY), same transaction rule. */
  enqueueMany<S extends Subject>(client: pg.ClientBase, subject: S, events: ReadonlyArray<EventOf<S>>): Promise<void>;
}

const eventIdOf = (event: unknown, subject: string): string => {
  const id = (event as { eventId?: unknown }).eventId;
  if (typeof id !== 'string' || id === '') throw new Error(`event for "${subject}" has no eventId`);
  return id;
};

/** The typed outbox of `owner` (its schema must have the outbox table of outbox.schema.ts). */
export function outboxOf(owner: string): Outbox {
  const table = `${quoteIdent(owner)}.outbox`;
  return {
    owner,
    async enqueue(client, subject, event) {
      await enqueueEvent(client, owner, {
        eventId: eventIdOf(event, subject),
        subject,
        payload: encodeEvent(subject, event),
      });
    },
    async enqueueMany(client, subject, events) {
      if (events.length === 0) return;
      await client.query(
        `INSERT INTO ${table} (event_id, subject, payload)
         SELECT e, $2, p FROM unnest($1::uuid[], $3::bytea[]) AS x(e, p)`,
        [events.map((e) => eventIdOf(e, subject)), subject, events.map((e) => Buffer.from(encodeEvent(subject, e)))],
      );
      await client.query('SELECT pg_notify($1, $2)', [outboxChannel(owner), '']);
    },
  };
}
