import type { JetStreamClient, PubAck } from 'nats';
import { describe, expect, it } from 'vitest';
import {
  Streams,
  Subjects,
  commonV1,
  decodeAnyEvent,
  decodeEvent,
  encodeEvent,
  isSubject,
  keysV1,
  lookupV1,
  newEvent,
  publishEvent,
  runsV1,
  streamForSubject,
  subjectMatches,
} from './index.js';
import type { EventFields, Subject } from './index.js';

const admin: commonV1.Actor = { kind: commonV1.ActorKind.ACTOR_KIND_ADMIN, id: '7', displayName: 'Ada Admin' };
const counts: commonV1.ActionCounts = {
  created: 3,
  updated: 2,
  reactivated: 1,
  blocked: 4,
  unchanged: 1000,
  errors: 5,
};

// One realistic payload per subject; the mapped type makes a missing subject a compile error.
const samples: { [S in Subject]: EventFields<S> } = {
  'sync.run.queued': { runId: 42, approvedBy: admin, reapply: true, planOnly: false },
  'sync.run.held': {
    runId: 43,
    holdReason: commonV1.HoldReason.HOLD_REASON_BLOCK_THRESHOLD,
    holdDetail: 'would block 312 of 2000 users (15.6% > 10%)',
    planCounts: counts,
  },
  'sync.run.completed': { runId: 44, counts, errorCount: 5, appliedAt: new Date('2026-11-24T10:00:00.123Z') },
  'sync.run.failed': { runId: 45, error: 'control file missing from object store' },
  'sync.run.cancelled': { runId: 46, actor: admin, whileRunning: true, reason: 'unsafe mark cancelled' },
  'sync.user.changed': {
    runId: 47,
    username: 'jbloggs',
    action: commonV1.UserAction.USER_ACTION_UPDATE,
    changedFields: ['email', 'groups'],
  },
  'sync.key.revoked': { keyId: '0b7c1a8e-0d43-4a51-9b0e-8e3f4f3f9d11' },
};

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Topics', () => {
  it.each(Subjects)('%s round-trips encode → decode with eventId and occurredAt', (subject) => {
    const event = newEvent(subject, samples[subject] as never);
    expect(event.eventId).toMatch(uuid);
    expect(event.occurredAt).toBeInstanceOf(Date);

    const decoded = decodeEvent(subject, encodeEvent(subject, event));
    expect(decoded).toEqual(event);
    expect(decoded).toMatchObject(samples[subject] as object);
  });

  it.each(Subjects)('%s keeps event_id = 1 and occurred_at = 2 on the wire', (subject) => {
    const event = newEvent(subject, { ...samples[subject], eventId: 'x', occurredAt: new Date(0) } as never);
    const bytes = encodeEvent(subject, event);
    expect(bytes[0]).toBe((1 << 3) | 2); // field 1, length-delimited
    expect(bytes[3]).toBe((2 << 3) | 2); // field 2, length-delimited, after "x"
  });

  it('newEvent keeps a given eventId and occurredAt', () => {
    const occurredAt = new Date('2026-01-02T03:04:05.678Z');
    const event = newEvent('sync.key.revoked', { keyId: 'k', eventId: 'outbox-1', occurredAt });
    expect(event).toEqual({ eventId: 'outbox-1', occurredAt, keyId: 'k' });
  });

  it('newEvent requires scalar fields at compile time and defaults the rest', () => {
    // @ts-expect-error runId is missing
    const event = newEvent('sync.run.queued', { reapply: false, planOnly: false });
    expect(event.runId).toBe(0);
    expect(event.approvedBy).toBeUndefined();
  });

  it('decodeAnyEvent discriminates by subject and rejects unknown subjects', () => {
    const event = newEvent('sync.run.failed', { runId: 9, error: 'boom' });
    const any = decodeAnyEvent('sync.run.failed', encodeEvent('sync.run.failed', event));
    expect(any.subject).toBe('sync.run.failed');
    if (any.subject === 'sync.run.failed') expect(any.event.error).toBe('boom');
    expect(() => decodeAnyEvent('sync.run.exploded', new Uint8Array())).toThrow(/unknown event subject/);
    expect(isSubject('sync.run.queued')).toBe(true);
    expect(isSubject('toString')).toBe(false);
  });
});

describe('subjects and streams', () => {
  it.each(Subjects)('%s is named sync.<entity>.<event> in lowercase', (subject) => {
    expect(subject).toMatch(/^sync\.[a-z]+(-[a-z]+)*\.[a-z]+(-[a-z]+)*$/);
  });

  it.each(Subjects)('%s is captured by exactly one stream', (subject) => {
    const owners = Object.values(Streams).filter((s) => s.subjects.some((f) => subjectMatches(f, subject)));
    expect(owners).toHaveLength(1);
    expect(streamForSubject(subject)).toBe(owners[0]);
  });

  it('maps subjects to the streams of DESIGN.md', () => {
    expect(streamForSubject('sync.run.queued').name).toBe('SYNC_RUNS');
    expect(streamForSubject('sync.user.changed').name).toBe('SYNC_DIRECTORY');
    expect(streamForSubject('sync.key.revoked').name).toBe('SYNC_KEYS');
    expect(() => streamForSubject('other.thing')).toThrow(/no stream/);
    for (const [key, stream] of Object.entries(Streams)) expect(stream.name).toBe(key);
  });

  it('matches NATS wildcards', () => {
    expect(subjectMatches('sync.run.>', 'sync.run.queued')).toBe(true);
    expect(subjectMatches('sync.run.>', 'sync.run')).toBe(false);
    expect(subjectMatches('sync.*.queued', 'sync.run.queued')).toBe(true);
    expect(subjectMatches('sync.*', 'sync.run.queued')).toBe(false);
    expect(subjectMatches('sync.run.queued', 'sync.run.queued')).toBe(true);
  });
});

describe('publishEvent', () => {
  const fakeJs = () => {
    const calls: { subject: string; data: Uint8Array; opts: Record<string, unknown> }[] = [];
    const js = {
      publish: (subject: string, data: Uint8Array, opts: Record<string, unknown>) => {
        calls.push({ subject, data, opts });
        return Promise.resolve({ stream: 'SYNC_RUNS', seq: 1, duplicate: false } as PubAck);
      },
    } as unknown as JetStreamClient;
    return { js, calls };
  };

  it('sets msgID to the eventId by default and to msgId when given', async () => {
    const { js, calls } = fakeJs();
    const event = newEvent('sync.run.queued', { runId: 1, reapply: false, planOnly: false });
    await publishEvent(js, 'sync.run.queued', event);
    await publishEvent(js, 'sync.run.queued', event, { msgId: 'outbox-77' });
    expect(calls.map((c) => c.opts['msgID'])).toEqual([event.eventId, 'outbox-77']);
    expect(decodeEvent('sync.run.queued', calls[0]!.data)).toEqual(event);
  });

  it('refuses an event with no id', async () => {
    const { js } = fakeJs();
    const event = newEvent('sync.run.queued', { runId: 1, reapply: false, planOnly: false, eventId: '' });
    await expect(publishEvent(js, 'sync.run.queued', event)).rejects.toThrow(/no eventId/);
  });
});

describe('gRPC service definitions', () => {
  it('marks streaming RPCs', () => {
    expect(runsV1.RunServiceService.downloadRunFile.responseStream).toBe(true);
    expect(runsV1.RunServiceService.uploadRunFile.requestStream).toBe(true);
    expect(runsV1.RunServiceService.getRun.path).toBe('/usersync.runs.v1.RunService/GetRun');
    expect(keysV1.KeyServiceService.verifyKey.path).toBe('/usersync.keys.v1.KeyService/VerifyKey');
    expect(lookupV1.LookupServiceService.lookupUser.path).toBe('/usersync.lookup.v1.LookupService/LookupUser');
  });

  it('round-trips oneof stream payloads', () => {
    const first: runsV1.UploadRunFileRequest = {
      payload: { $case: 'metadata', value: { name: 'staff', filename: 'staff.csv', actor: admin } },
    };
    const chunk: runsV1.UploadRunFileRequest = { payload: { $case: 'chunk', value: Buffer.from('a,b\n') } };
    for (const m of [first, chunk]) {
      expect(runsV1.UploadRunFileRequest.decode(runsV1.UploadRunFileRequest.encode(m).finish())).toEqual(m);
    }
  });
});
