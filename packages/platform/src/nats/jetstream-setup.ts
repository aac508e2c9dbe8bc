/**
 * Idempotent JetStream setup: streams and durable pull consumers are created when missing and updated
 * when their config drifted, so the setup step (deploy/nats, `npm start`, tests) can run any number of
 * times.
 */
import { AckPolicy, DeliverPolicy, NatsError, StorageType, nanos, type JetStreamManager } from 'nats';

/** A stream the system needs. */
export interface StreamSpec {
  name: string;
  subjects: string[];
  /** JetStream's Nats-Msg-Id de-duplication window (default 2 minutes). */
  duplicateWindowMs?: number;
}

/** A durable pull consumer with explicit ack. */
export interface ConsumerSpec {
  stream: string;
  durable: string;
  filterSubject?: string;
  /** Redelivery after this long without ack or working() (default 30 s). */
  ackWaitMs?: number;
  /** Deliveries before the server gives up (default 5); the consumer loop terms at the same count. */
  maxDeliver?: number;
}

/** What an ensure call did to one stream or consumer. */
export interface EnsureOutcome {
  name: string;
  action: 'created' | 'updated' | 'unchanged';
}

const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

function isApiError(err: unknown, code: number): boolean {
  return err instanceof NatsError && err.api_error?.err_code === code;
}

const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** Creates each stream, or updates it when subjects or duplicate window differ. File storage always. */
export async function ensureStreams(jsm: JetStreamManager, streams: StreamSpec[]): Promise<EnsureOutcome[]> {
  const outcomes: EnsureOutcome[] = [];
  for (const spec of streams) {
    const duplicateWindow = nanos(spec.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS);
    const current = await jsm.streams.info(spec.name).catch((err: unknown) => {
      if (isApiError(err, STREAM_NOT_FOUND)) return undefined;
      throw err;
    });
    if (!current) {
      await jsm.streams.add({
        name: spec.name,
        subjects: spec.subjects,
        storage: StorageType.File,
        duplicate_window: duplicateWindow,
      });
      outcomes.push({ name: spec.name, action: 'created' });
      continue;
    }
    // JetStream cannot change storage in place; say so rather than failing with the server's message.
    if (current.config.storage !== StorageType.File) {
      throw new Error(
        `stream ${spec.name} uses ${current.config.storage} storage; delete it to recreate with file storage`,
      );
    }
    if (sameSet(current.config.subjects ?? [], spec.subjects) && current.config.duplicate_window === duplicateWindow) {
      outcomes.push({ name: spec.name, action: 'unchanged' });
      continue;
    }
    await jsm.streams.update(spec.name, { subjects: spec.subjects, duplicate_window: duplicateWindow });
    outcomes.push({ name: spec.name, action: 'updated' });
  }
  return outcomes;
}

/** Creates the durable pull consumer, or updates ack wait / max deliver / filter when they differ. */
export async function ensureConsumer(jsm: JetStreamManager, spec: ConsumerSpec): Promise<EnsureOutcome> {
  const wanted = {
    ack_wait: nanos(spec.ackWaitMs ?? 30_000),
    max_deliver: spec.maxDeliver ?? 5,
    filter_subject: spec.filterSubject,
  };
  const current = await jsm.consumers.info(spec.stream, spec.durable).catch((err: unknown) => {
    if (isApiError(err, CONSUMER_NOT_FOUND)) return undefined;
    throw err;
  });
  if (!current) {
    await jsm.consumers.add(spec.stream, {
      durable_name: spec.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ...wanted,
    });
    return { name: spec.durable, action: 'created' };
  }
  const c = current.config;
  if (
    c.ack_wait === wanted.ack_wait &&
    c.max_deliver === wanted.max_deliver &&
    c.filter_subject === wanted.filter_subject
  ) {
    return { name: spec.durable, action: 'unchanged' };
  }
  await jsm.consumers.update(spec.stream, spec.durable, wanted);
  return { name: spec.durable, action: 'updated' };
}
