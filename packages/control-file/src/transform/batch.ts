import { ControlFileEngineError } from '../errors.js';
import type { ByteSource } from '../readers/decode.js';
import { readRecordBatches } from '../readers/read-records.js';
import type { ControlFile } from '../validation/validate-control.js';
import { UsernameIndex } from '../engine/username-index.js';
import { rawRecordJson } from './desired-state.js';
import type { RecordOutcome } from './record-outcome.js';
import { createTransformer, type Transformer } from './transformer.js';

/**
 * The caller's answer to "is this record exactly the one its user was last applied from, under the same
 * control file, config and engine?" (the apply worker's baseline knows). `unchanged` skips the transform:
 * the outcome has status 'unchanged' and no desired state, as the result is known to be the stored one.
 * Asked after the username and duplicate checks, so a later record with the same username is still a
 * duplicate. The record's JSON and digest, when the caller computed them to decide, ride on the outcome
 * (recordJson, recordSha1) so they are not computed twice.
 */
export type UnchangedCheck = (username: string, record: unknown) => UnchangedVerdict;

export interface UnchangedVerdict {
  unchanged: boolean;
  recordJson?: string;
  recordSha1?: string;
}

/**
 * The run's duplicate-username check: `add` is true the first time a username comes, false after. The
 * engine keeps its own unless the caller gives one (the apply worker's baseline holds every in-feed
 * username already, so it answers for them instead of a second set). The parallel batch keeps its own.
 */
export interface UsernameClaims {
  add(username: string): boolean;
}

/** A data file by name: a stream, or a function opening it (so files are opened one at a time). */
export type FileSource = ByteSource | (() => ByteSource | Promise<ByteSource>);
export type FileSources = Readonly<Record<string, FileSource>> | ((fileName: string) => FileSource | undefined);

export interface Batch {
  readonly controlFile: ControlFile;
  readonly transformer: Transformer;
  /** Every record of every file, in the control file's `files` order, with Haplo's per-record rules applied. */
  records(files: FileSources): AsyncIterable<RecordOutcome>;
  /**
   * The same outcomes in arrays (one await per batch): for the apply worker's hot loop. With `unchanged`,
   * records it vouches for are not transformed (the parallel batch transforms every record, never asking).
   */
  recordBatches(files: FileSources, unchanged?: UnchangedCheck, seen?: UsernameClaims): AsyncIterable<RecordOutcome[]>;
}

/** Compiles a validated control file for a run. Throws NO_USERNAME_RULE as `createTransformer` does. */
export function compile(controlFile: ControlFile): Batch {
  const transformer = createTransformer(controlFile);
  return {
    controlFile,
    transformer,
    records: (files) => runRecords(controlFile, transformer, files),
    recordBatches: (files, unchanged, seen) => runRecordBatches(controlFile, transformer, files, unchanged, seen),
  };
}

async function* runRecords(
  controlFile: ControlFile,
  transformer: Transformer,
  files: FileSources,
): AsyncGenerator<RecordOutcome> {
  for await (const outcomes of runRecordBatches(controlFile, transformer, files)) yield* outcomes;
}

async function* runRecordBatches(
  controlFile: ControlFile,
  transformer: Transformer,
  files: FileSources,
  unchanged?: UnchangedCheck,
  // Usernames are stored lowercased, so duplicates are found after lowercasing. Haplo compares the raw
  // extracted value, lets "JSmith" and "jsmith" both through and then applies both to the same user.
  seen: UsernameClaims = new UsernameIndex(),
): AsyncGenerator<RecordOutcome[]> {
  let recordNumber = 0;
  for (const fileName of controlFile.fileNames) {
    const source = await openFile(files, fileName);
    for await (const records of readRecordBatches(fileName, controlFile.files[fileName], source)) {
      const outcomes: RecordOutcome[] = new Array(records.length);
      for (let i = 0; i < records.length; i++) {
        outcomes[i] = outcomeOf(transformer, seen, fileName, records[i], recordNumber++, unchanged);
      }
      yield outcomes;
    }
  }
}

function outcomeOf(
  transformer: Transformer,
  seen: UsernameClaims,
  fileName: string,
  record: unknown,
  n: number,
  unchanged: UnchangedCheck | undefined,
): RecordOutcome {
  const username = transformer.usernameOf(record);
  if (username === undefined) {
    const errors = [`No username in record ${n}: ${rawRecordJson(record)}`];
    return { recordNumber: n, fileName, record, status: 'no-username', complete: false, errors, notes: [] };
  }
  if (!seen.add(username)) {
    const errors = [`Duplicate username: ${username} (ignoring record ${n})`];
    return { recordNumber: n, fileName, record, status: 'duplicate', username, complete: false, errors, notes: [] };
  }
  const verdict = unchanged?.(username, record);
  const recordJson = verdict?.recordJson;
  const recordSha1 = verdict?.recordSha1;
  if (verdict?.unchanged) {
    return {
      recordNumber: n,
      fileName,
      record,
      status: 'unchanged',
      username,
      complete: true,
      errors: [],
      notes: [],
      recordJson,
      recordSha1,
    };
  }
  const result = transformer.transformWithUsername(record, n, username);
  if (!result.complete) {
    const notes = [`Record has missing data for username ${username} (ignoring)`];
    return {
      recordNumber: n,
      fileName,
      record,
      status: 'incomplete',
      username,
      complete: false,
      errors: result.errors,
      notes,
      recordJson,
      recordSha1,
    };
  }
  const { desired, errors } = result;
  return {
    recordNumber: n,
    fileName,
    record,
    status: 'ok',
    username,
    desired,
    complete: true,
    errors,
    notes: [],
    recordJson,
    recordSha1,
  };
}

/** Opens a run's data file by name; FILE_MISSING when there is none. */
export async function openFile(files: FileSources, fileName: string): Promise<ByteSource> {
  const entry =
    typeof files === 'function' ? files(fileName) : Object.hasOwn(files, fileName) ? files[fileName] : undefined;
  if (entry === undefined) throw new ControlFileEngineError('FILE_MISSING', `No data for file ${fileName}`);
  return typeof entry === 'function' ? entry() : entry;
}
