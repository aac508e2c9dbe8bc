/**
 * The events ingest-gateway announces, written to the `runs` outbox inside the transaction that
 * records the change: no event for a rolled-back change, none lost when the process dies.
 */
import type { ClientBase } from 'pg';
import { encodeEvent, newEvent, type EventOf, type Subject } from '@usersync/contracts';
import { enqueueEvent } from '@usersync/platform';
import type { StoredActor } from '@usersync/run-state';
import { actorToProto } from '../domain/actor.js';

/** The outbox owner (schema) of ingest-gateway. */
export const OUTBOX_OWNER = 'runs';

async function enqueue<S extends Subject>(client: ClientBase, subject: S, event: EventOf<S>): Promise<void> {
  await enqueueEvent(client, OUTBOX_OWNER, {
    eventId: (event as { eventId: string }).eventId,
    subject,
    payload: encodeEvent(subject, event),
  });
}

/**
 * sync.run.queued: the run went to running (approvedBy set: an admin approved it, thresholds bypassed), or
 * start-sync held it and the worker is to plan it only (planOnly): the plan is stored and the run stays held,
 * so an admin decides on a preview. The worker then announces sync.run.held.
 */
export async function enqueueRunQueued(
  client: ClientBase,
  runId: number,
  opts: { approvedBy?: StoredActor | null; reapply?: boolean; planOnly?: boolean } = {},
): Promise<void> {
  const event = newEvent('sync.run.queued', {
    runId,
    approvedBy: actorToProto(opts.approvedBy),
    reapply: opts.reapply ?? false,
    planOnly: opts.planOnly ?? false,
  });
  await enqueue(client, 'sync.run.queued', event);
}

/** sync.run.cancelled: an admin cancelled the run, or a new upload superseded it. */
export async function enqueueRunCancelled(
  client: ClientBase,
  runId: number,
  opts: { actor: StoredActor; whileRunning: boolean; reason: string },
): Promise<void> {
  const event = newEvent('sync.run.cancelled', {
    runId,
    actor: actorToProto(opts.actor),
    whileRunning: opts.whileRunning,
    reason: opts.reason,
  });
  await enqueue(client, 'sync.run.cancelled', event);
}
