import { randomUUID } from 'node:crypto';
import type { JetStreamClient, MsgHdrs, PubAck } from 'nats';
import type { BinaryWriter } from '@bufbuild/protobuf/wire';
import { Topics, isSubject } from './subjects.js';
import type { EventOf, Subject } from './subjects.js';

/** The generated message functions `Topics` holds, seen through one event type. */
interface EventCodec<T> {
  encode(message: T): BinaryWriter;
  decode(input: Uint8Array): T;
  fromPartial(object: unknown): T;
}

/** Every event's envelope fields (`event_id = 1`, `occurred_at = 2` in every events.v1 message). */
export interface EventEnvelope {
  eventId: string;
  occurredAt: Date | undefined;
}

/** `{ subject, event }` for any subject: switch on `subject` to get a typed `event`. */
export type AnyEvent = { [S in Subject]: { subject: S; event: EventOf<S> } }[Subject];

/** Keys whose type admits `undefined` (message fields, proto3 `optional` fields). */
type UndefinedKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

/**
 * Fields for `newEvent`: scalars and repeated fields are required (so a forgotten `runId` is a type
 * error, not a silent 0); message fields are optional; `eventId` and `occurredAt` default.
 */
export type EventFields<S extends Subject> = Omit<
  { [K in Exclude<keyof EventOf<S>, UndefinedKeys<EventOf<S>>>]: EventOf<S>[K] } & {
    [K in UndefinedKeys<EventOf<S>>]?: EventOf<S>[K];
  },
  keyof EventEnvelope
> &
  Partial<EventEnvelope>;

/** Options for `publishEvent`. */
export interface PublishEventOptions {
  /** JetStream de-duplication id (`Nats-Msg-Id`); defaults to the event's `eventId`. The outbox passes its row id. */
  msgId?: string;
  /** Extra headers, e.g. `traceparent`. */
  headers?: MsgHdrs;
  /** Publish acknowledgement timeout in milliseconds (nats default otherwise). */
  timeout?: number;
}

function codecFor<S extends Subject>(subject: S): EventCodec<EventOf<S>> {
  if (!isSubject(subject)) throw new Error(`unknown event subject "${String(subject)}"`);
  return Topics[subject] as unknown as EventCodec<EventOf<S>>;
}

/** Encodes an event for `subject` to protobuf bytes. */
export function encodeEvent<S extends Subject>(subject: S, msg: EventOf<S>): Uint8Array {
  return codecFor(subject).encode(msg).finish();
}

/** Decodes protobuf bytes received on `subject` (e.g. `decodeEvent(m.subject, m.data)` after `isSubject`). */
export function decodeEvent<S extends Subject>(subject: S, data: Uint8Array): EventOf<S> {
  return codecFor(subject).decode(data);
}

/** Decodes a message from any subject; throws on a subject usersync does not publish. */
export function decodeAnyEvent(subject: string, data: Uint8Array): AnyEvent {
  if (!isSubject(subject)) throw new Error(`unknown event subject "${subject}"`);
  return { subject, event: decodeEvent(subject, data) } as AnyEvent;
}

/** Builds an event for `subject`, filling `eventId` (random uuid) and `occurredAt` (now) unless given. */
export function newEvent<S extends Subject>(subject: S, fields: EventFields<S>): EventOf<S> {
  return codecFor(subject).fromPartial({
    ...fields,
    eventId: fields.eventId ?? randomUUID(),
    occurredAt: fields.occurredAt ?? new Date(),
  });
}

/**
 * Publishes an event to JetStream with `Nats-Msg-Id` set (JetStream drops a duplicate within the
 * stream's duplicate window), and resolves with the PubAck (`duplicate: true` for a repeat).
 */
export async function publishEvent<S extends Subject>(
  js: JetStreamClient,
  subject: S,
  msg: EventOf<S>,
  opts: PublishEventOptions = {},
): Promise<PubAck> {
  const msgID = opts.msgId ?? (msg as EventEnvelope).eventId;
  if (!msgID) throw new Error(`event for "${subject}" has no eventId and no msgId was given`);
  return js.publish(subject, encodeEvent(subject, msg), {
    msgID,
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
  });
}
