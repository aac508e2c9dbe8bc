/**
 * Stage 1 of a run: stream every record of every file through the control-file engine and COPY the
 * outcomes into the transaction's feed tables, chunk by chunk. Memory is bounded by one chunk; the
 * next chunk is transformed while PostgreSQL ingests the previous one.
 */
import { hash } from 'node:crypto';
import type pg from 'pg';
import {
  canonicalJson,
  rawRecordJson,
  type DesiredUser,
  type Batch,
  type FileSources,
  type RecordOutcome,
} from '@usersync/control-file';
import {
  copyFeedChunk,
  encodeFeedLogRows,
  encodeFeedRows,
  type FeedLogRow,
  type FeedRow,
} from '../repositories/feed.repository.js';

/** Counts of the transform stage. */
export interface TransformStats {
  records: number;
  /** Records that became a desired state. */
  validRecords: number;
  /** Records without a username, duplicates and incomplete records. */
  failedRecords: number;
  /** ERROR lines written. */
  errorLines: number;
}

/** Hooks the stage calls between chunks. */
export interface TransformHooks {
  /** Records processed so far (for the progress row). */
  progress(processed: number): void;
  /** Throws to abandon the run (cancel requested); called between chunks. */
  checkpoint(): Promise<void>;
}

// Small enough that a chunk (objects, COPY text, the copy in flight) stays a few MB; COPY per chunk costs ~1 ms.
const CHUNK_RECORDS = 5_000;

/** Runs the stage; managed group codes outside `managedGroups` are dropped with an ERROR line. */
export async function transformIntoFeed(
  client: pg.ClientBase,
  batch: Batch,
  files: FileSources,
  managedGroups: ReadonlySet<string>,
  hooks: TransformHooks,
): Promise<TransformStats> {
  const stats: TransformStats = { records: 0, validRecords: 0, failedRecords: 0, errorLines: 0 };
  let rows: FeedRow[] = [];
  let lines: FeedLogRow[] = [];
  let pending: Promise<void> = Promise.resolve();

  const flush = async () => {
    const feedText = encodeFeedRows(rows);
    const logText = encodeFeedLogRows(lines);
    rows = [];
    lines = [];
    await pending;
    await hooks.checkpoint();
    hooks.progress(stats.records);
    // Not awaited: the engine transforms the next chunk while this one is copied.
    pending = copyFeedChunk(client, feedText, logText);
    pending.catch(() => undefined);
  };

  for await (const outcomes of batch.recordBatches(files)) {
    for (const outcome of outcomes) {
      stats.records++;
      addOutcome(outcome, managedGroups, rows, lines, stats);
    }
    if (rows.length + lines.length >= CHUNK_RECORDS) await flush();
  }
  await flush();
  await pending;
  return stats;
}

function addOutcome(
  o: RecordOutcome,
  managedGroups: ReadonlySet<string>,
  rows: FeedRow[],
  lines: FeedLogRow[],
  stats: TransformStats,
): void {
  const username = o.username ?? null;
  let sub = 1;
  const error = (message: string) => {
    stats.errorLines++;
    lines.push({ rec: o.recordNumber, sub: sub++, level: 'error', username, text: `ERROR: ${message}` });
  };
  for (const message of o.errors) error(message);
  if (o.status !== 'ok' || !o.desired || username === null) {
    stats.failedRecords++;
    for (const note of o.notes) lines.push({ rec: o.recordNumber, sub: sub++, level: 'info', username, text: note });
    // An incomplete record still names its user: the planner leaves that user untouched (hazard H2).
    if (o.status === 'incomplete' && username !== null) rows.push(invalidRow(o, username));
    return;
  }
  const desired = o.desired;
  const unknown = desired.groups.filter((g) => !managedGroups.has(g));
  if (unknown.length > 0) {
    for (const code of unknown) error(`Unknown group: ${code} (record ${o.recordNumber}, user ${username})`);
    desired.groups = desired.groups.filter((g) => managedGroups.has(g));
  }
  stats.validRecords++;
  const recordJson = rawRecordJson(o.record);
  const parts = desiredParts(desired);
  rows.push({
    rec: o.recordNumber,
    username,
    valid: true,
    hasError: o.errors.length > 0 || unknown.length > 0,
    digest: parts.digest,
    title: desired.title ?? null,
    nameFirst: desired.nameFirst,
    nameLast: desired.nameLast,
    email: desired.email,
    groupsJson: parts.groups,
    tagsJson: parts.tags,
    profileJson: parts.profile,
    recordJson,
    recordDigest: sha1(recordJson),
  });
  for (const note of o.notes) lines.push({ rec: o.recordNumber, sub: sub++, level: 'info', username, text: note });
}

function invalidRow(o: RecordOutcome, username: string): FeedRow {
  const recordJson = rawRecordJson(o.record);
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
    recordDigest: sha1(recordJson),
  };
}

const sha1 = (text: string) => hash('sha1', text, 'hex');

/**
 * The canonical JSON of groups, tags and profile (the feed's columns; jsonb ignores key order) and
 * desiredStateDigest(desired), built from those same pieces so each is serialised once per record.
 * Equal to sha256(canonicalJson(desired)): keys in sorted order, undefined members left out.
 */
export function desiredParts(desired: DesiredUser): { groups: string; tags: string; profile: string; digest: string } {
  const groups = canonicalJson(desired.groups);
  const tags = canonicalJson(desired.tags);
  const profile = canonicalJson(desired.profile);
  const fields = desired as unknown as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(fields).sort()) {
    const value = fields[key];
    if (value === undefined) continue;
    const json = key === 'groups' ? groups : key === 'tags' ? tags : key === 'profile' ? profile : canonicalJson(value);
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${json}`;
  }
  return { groups, tags, profile, digest: hash('sha256', `${text}}`, 'hex') };
}
