import {
  KeyRevoked,
  RunCancelled,
  RunCompleted,
  RunFailed,
  RunHeld,
  RunQueued,
  UserChanged,
} from './gen/usersync/events/v1/events.js';

/**
 * Every JetStream subject usersync publishes, mapped to its payload message (usersync.events.v1).
 * Publishers and consumers both go through this map, so they cannot disagree on a payload type.
 */
export const Topics = {
  'sync.run.queued': RunQueued,
  'sync.run.held': RunHeld,
  'sync.run.completed': RunCompleted,
  'sync.run.failed': RunFailed,
  'sync.run.cancelled': RunCancelled,
  'sync.user.changed': UserChanged,
  'sync.key.revoked': KeyRevoked,
} as const;

/** A subject usersync publishes: `sync.<entity>.<event>`. */
export type Subject = keyof typeof Topics;

/** The decoded payload type of a subject, e.g. `EventOf<'sync.run.queued'>` is `RunQueued`. */
export type EventOf<S extends Subject> = ReturnType<(typeof Topics)[S]['decode']>;

/** Every subject, in declaration order. */
export const Subjects = Object.keys(Topics) as Subject[];

/** True when `subject` is one usersync publishes (use on `JsMsg.subject` before decoding). */
export function isSubject(subject: string): subject is Subject {
  return Object.prototype.hasOwnProperty.call(Topics, subject);
}

/** A JetStream stream: one per domain area, each owning one subject prefix. */
export interface StreamDefinition {
  readonly name: string;
  /** Subject filters the stream captures (copy with `[...subjects]` for nats' mutable `StreamConfig`). */
  readonly subjects: readonly string[];
  readonly description: string;
}

/** The streams usersync needs; JetStream setup creates them, consumers bind to them by name. */
export const Streams = {
  SYNC_RUNS: {
    name: 'SYNC_RUNS',
    subjects: ['sync.run.>'],
    description: 'Run lifecycle: queued, held, completed, failed, cancelled',
  },
  SYNC_DIRECTORY: {
    name: 'SYNC_DIRECTORY',
    subjects: ['sync.user.>'],
    description: 'Per-user changes committed by runs',
  },
  SYNC_KEYS: {
    name: 'SYNC_KEYS',
    subjects: ['sync.key.>'],
    description: 'API key lifecycle (revocations invalidate verifier caches)',
  },
} as const satisfies Record<string, StreamDefinition>;

/** Name of a stream in `Streams`. */
export type StreamName = keyof typeof Streams;

/** NATS subject matching: `*` matches one token, `>` (last token only) matches one or more tokens. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return i === f.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/** The stream that captures `subject`; throws when no stream does (a contract bug, caught by tests). */
export function streamForSubject(subject: string): (typeof Streams)[StreamName] {
  for (const stream of Object.values(Streams)) {
    if (stream.subjects.some((filter) => subjectMatches(filter, subject))) return stream;
  }
  throw new Error(`no stream captures subject "${subject}"`);
}
