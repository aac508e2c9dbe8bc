/**
 * Stage 1 of a run: stream every record of every file through the control-file engine and COPY the
 * outcomes into the transaction's feed tables, chunk by chunk. Memory is bounded by one chunk; the
 * next chunk is transformed while PostgreSQL ingests the previous one.
 */
import { hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type pg from 'pg';
import {
  compile,
  createParallelBatch,
  desiredStateParts,
  rawRecordJson,
  type Batch,
  type ControlFile,
  type DesiredStateParts,
  type DesiredUser,
  type FileSources,
  type RecordOutcome,
  type UnchangedCheck,
} from '@usersync/control-file';
import type { FeedRow } from '../store/feed.repository.js';
import type { BaselineIndex } from '../engine/baseline-index.js';
import type { DirectCreates } from '../engine/create-rows.js';
import { Chunk, type FeedSink } from './feed-chunk.js';

/** Counts of the transform stage. */
export interface TransformStats {
  records: number;
  /** Records that became a desired state. */
  validRecords: number;
  /** Records without a username, duplicates and incomplete records. */
  failedRecords: number;
  /** ERROR lines written. */
  errorLines: number;
  /** Valid records that matched the baseline: counted here, never sent to PostgreSQL. */
  unchanged: number;
  /** Of those, records not even transformed (raw digest as stored, same transform fingerprint). */
  skipped: number;
}

/** The counts of a stage that has seen no record yet. */
export function noRecords(): TransformStats {
  return { records: 0, validRecords: 0, failedRecords: 0, errorLines: 0, unchanged: 0, skipped: 0 };
}

/** What the stage checks records against. */
export interface FeedRules {
  /** Managed group codes: others are dropped from a desired state with an ERROR line. */
  managedGroups: ReadonlySet<string>;
  /** In-feed users before the run; the stage marks every user the file names, leaving the absent ones. */
  baseline: BaselineIndex;
  /** Haplo's old rule: a user whose record failed counts as absent (blocked). */
  blockInvalidRecords: boolean;
  /**
   * The directory is empty, so every valid record is a create: write creates straight into the
   * directory for this run (direct-create.repository.ts) instead of into the feed, and every record's
   * log lines straight into the run's log.
   */
  directCreatesFor?: DirectCreates;
  /**
   * The directory's digests were verified under this run's transform fingerprint (sync_state): a record
   * whose raw digest is its user's stored one is not transformed, as its desired state is the stored one.
   * Only the sequential batch asks; the parallel one transforms everything.
   */
  skipUnchanged?: boolean;
}

/** Hooks the stage calls between chunks. */
export interface TransformHooks {
  /** Records processed so far (for the progress row). */
  progress(processed: number): void;
  /** Throws to abandon the run (cancel requested); called between chunks. */
  checkpoint(): Promise<void>;
}

// Small enough that a chunk (objects, COPY text, the copy in flight) stays a few MB (bench/README.md).
const CHUNK_RECORDS = 5_000;
// Chunks the engine may run ahead of PostgreSQL: two, so a slow chunk on either side is not waited for
// at once (bench/README.md, issue 21).
const WRITES_IN_FLIGHT = 2;

/**
 * The engine batch for a run. `threads`: worker threads for the transform (JSON.parse, instructions, record
 * JSON and digests off the main thread, which reads, merges and COPYs). 0 = the sequential batch on this
 * thread; undefined = one per core when there is more than one core. Both give the same feed
 * (transform-stage.test.ts).
 */
export function transformBatch(controlFile: ControlFile, threads: number | 'auto' = 0): Batch {
  // Sequential by default: on 2 cores the threads cost more memory than they gain (bench/README.md).
  const cores = availableParallelism();
  const n = threads === 'auto' ? (cores > 1 ? cores : 0) : threads;
  return n > 0 ? createParallelBatch(controlFile, { threads: n, digests: true }) : compile(controlFile);
}

/** Runs the stage: the feed tables get every record but those unchanged against the baseline. */
export async function transformIntoFeed(
  client: pg.ClientBase,
  batch: Batch,
  files: FileSources,
  rules: FeedRules,
  hooks: TransformHooks,
): Promise<TransformStats> {
  const stats = noRecords();
  let chunk = new Chunk(rules.directCreatesFor);
  // Chunks written or waiting to be, oldest first: one connection writes them in order.
  const writes: Promise<void>[] = [];

  const flush = async () => {
    const full = chunk;
    chunk = new Chunk(rules.directCreatesFor);
    if (writes.length >= WRITES_IN_FLIGHT) await writes.shift();
    await hooks.checkpoint();
    hooks.progress(stats.records);
    // Not awaited: the engine transforms the next chunk while this one waits and is written. Chained on the
    // one before, it is sent from the microtask that reads that one's answer (platform's copyBatch).
    const write = (writes.at(-1) ?? Promise.resolve()).then(() => full.write(client));
    write.catch(() => undefined);
    writes.push(write);
  };

  const { baseline } = rules;
  const unchanged: UnchangedCheck | undefined = rules.skipUnchanged
    ? (username, record) => {
        const recordJson = rawRecordJson(record);
        const recordSha1 = sha1(recordJson);
        return { unchanged: baseline.seeRecord(username, recordSha1), recordJson, recordSha1 };
      }
    : undefined;
  for await (const outcomes of batch.recordBatches(files, unchanged, baseline.claims)) {
    for (const outcome of outcomes) {
      stats.records++;
      addOutcome(outcome, rules, chunk, stats);
    }
    if (chunk.size >= CHUNK_RECORDS) await flush();
  }
  await flush();
  for (const write of writes) await write;
  return stats;
}

function addOutcome(o: RecordOutcome, rules: FeedRules, out: FeedSink, stats: TransformStats): void {
  const username = o.username ?? null;
  if (o.status === 'unchanged') {
    stats.validRecords++;
    stats.unchanged++;
    stats.skipped++;
    return;
  }
  let sub = 1;
  for (const message of o.errors) sub = addError(out, stats, o.recordNumber, sub, username, message);
  // Status 'ok' always has a desired state; reading `desired` here would make the parallel batch parse it.
  if (o.status !== 'ok' || username === null) {
    stats.failedRecords++;
    for (const note of o.notes) out.line({ rec: o.recordNumber, sub: sub++, level: 'info', username, text: note });
    // An incomplete record still names its user: the planner leaves that user untouched (hazard H2).
    if (o.status === 'incomplete' && username !== null) {
      if (!rules.blockInvalidRecords) rules.baseline.see(username);
      out.row(invalidRow(o, username));
    }
    return;
  }
  const { managedGroups, baseline } = rules;
  // The parallel batch brings the serialised pieces and scalar fields from its worker threads; the
  // sequential one has only `desired`. Unknown groups are rare: then the state is rebuilt without them.
  let parts: DesiredStateParts | undefined = o.parts;
  let fields: Pick<DesiredUser, 'title' | 'nameFirst' | 'nameLast' | 'email'> | undefined = o.fields;
  const groups = parts ? (JSON.parse(parts.groups) as string[]) : desiredOf(o).groups;
  const unknown = unmanaged(groups, managedGroups);
  if (unknown.length > 0 || !parts || !fields) {
    const desired = desiredOf(o);
    for (const code of unknown) {
      const message = `Unknown group: ${code} (record ${o.recordNumber}, user ${username})`;
      sub = addError(out, stats, o.recordNumber, sub, username, message);
    }
    if (unknown.length > 0) desired.groups = desired.groups.filter((g) => managedGroups.has(g));
    parts = desiredStateParts(desired);
    fields = desired;
  }
  stats.validRecords++;
  const recordJson = o.recordJson ?? rawRecordJson(o.record);
  const recordDigest = o.recordSha1 ?? sha1(recordJson);
  const hasError = o.errors.length > 0 || unknown.length > 0;
  const clean = !hasError && o.notes.length === 0;
  if (baseline.see(username, clean ? parts.digest : undefined, recordDigest)) {
    stats.unchanged++;
    return;
  }
  out.row({
    rec: o.recordNumber,
    username,
    valid: true,
    hasError,
    digest: parts.digest,
    title: fields.title ?? null,
    nameFirst: fields.nameFirst,
    nameLast: fields.nameLast,
    email: fields.email,
    groupsJson: parts.groups,
    tagsJson: parts.tags,
    profileJson: parts.profile,
    recordJson,
    recordDigest,
  });
  for (const note of o.notes) out.line({ rec: o.recordNumber, sub: sub++, level: 'info', username, text: note });
}

/** Appends an ERROR line; returns the record's next line position. */
function addError(
  out: FeedSink,
  stats: TransformStats,
  rec: number,
  sub: number,
  username: string | null,
  message: string,
): number {
  stats.errorLines++;
  out.line({ rec, sub, level: 'error', username, text: `ERROR: ${message}` });
  return sub + 1;
}

const NONE: readonly string[] = [];

/** The groups the config does not manage (a shared empty list, nearly always: no array per record). */
function unmanaged(groups: readonly string[], managed: ReadonlySet<string>): readonly string[] {
  for (const g of groups) if (!managed.has(g)) return groups.filter((c) => !managed.has(c));
  return NONE;
}

function desiredOf(o: RecordOutcome): DesiredUser {
  if (!o.desired) throw new Error(`record ${o.recordNumber}: status ok without a desired state`);
  return o.desired;
}

function invalidRow(o: RecordOutcome, username: string): FeedRow {
  const recordJson = o.recordJson ?? rawRecordJson(o.record);
  return {
    rec: o.recordNumber,
    username,
    valid: false,
    hasError: true,
    digest: null,
    title: null,
    nameFirst: null,
    nameLast: null,
    email: null,
    groupsJson: null,
    tagsJson: null,
    profileJson: null,
    recordJson,
    recordDigest: o.recordSha1 ?? sha1(recordJson),
  };
}

const sha1 = (text: string) => hash('sha1', text, 'hex');

/**
 * The canonical JSON of groups, tags and profile (the feed's columns; jsonb ignores key order) and
 * desiredStateDigest(desired), each serialised once per record (the engine's desiredStateParts).
 */
export function desiredParts(desired: DesiredUser): DesiredStateParts {
  return desiredStateParts(desired);
}
