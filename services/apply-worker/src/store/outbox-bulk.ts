/**
 * Many events into this service's outbox in one statement (enqueueEvent writes one row per call).
 * Same table, same transaction rule: the rows commit or roll back with the change they announce.
 */
import type pg from 'pg';
import { encodeEvent, type EventOf, type Subject } from '@usersync/contracts';
import { outboxChannel } from '@usersync/platform';

/** Adds every event of `subject` to `<owner>.outbox` on the caller's (transaction's) client. */
export async function enqueueEvents<S extends Subject>(
  client: pg.ClientBase,
  owner: 'directory',
  subject: S,
  events: ReadonlyArray<EventOf<S> & { eventId: string }>,
): Promise<void> {
  if (events.length === 0) return;
  await client.query(
    `INSERT INTO ${owner}.outbox (event_id, subject, payload)
     SELECT e, $2, p FROM unnest($1::uuid[], $3::bytea[]) AS x(e, p)`,
    [events.map((e) => e.eventId), subject, events.map((e) => Buffer.from(encodeEvent(subject, e)))],
  );
  await client.query('SELECT pg_notify($1, $2)', [outboxChannel(owner), '']);
}
