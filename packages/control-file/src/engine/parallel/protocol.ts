/**
 * What the parallel batch's worker threads compute, and how the main thread turns it back into
 * RecordOutcomes. Results travel as one flat array of strings per segment (cheap to clone), not objects:
 * the record and desired state come back as JSON text and are parsed only if someone reads them.
 */
import { hash } from 'node:crypto';
import type { DesiredUser } from '../../model/types.js';
import { desiredStateParts, rawRecordJson, type DesiredStateParts } from '../../transform/desired-state.js';
import type { Transformer } from '../../transform/transformer.js';
import type { DesiredFields, RecordOutcome, RecordStatus } from '../../transform/record-outcome.js';
import { parseRun } from '../json-split/run-parse.js';
import type { UsernameIndex } from '../username-index.js';

/** Main → worker: transform `records`, then the records of `JSON.parse('[' + text + ']')` (`count` of them). */
export interface SegmentRequest {
  id: number;
  /** Record number (across the run) of the segment's first record. */
  base: number;
  records: unknown[];
  text?: string;
  count?: number;
}

/**
 * Worker → main. `badRun`: the text did not parse as `count` records; the main thread replays it.
 * Otherwise per record FIELDS entries of `lengths`: the kind, then the lengths of the string fields
 * (-1 = none), whose texts follow one another in `text`. One string and one transferred buffer clone far
 * faster than an array of strings. Usernames travel apart: the run keeps them all (duplicate check), and a
 * slice of `text` would keep the whole segment's text alive.
 */
export interface SegmentResponse {
  id: number;
  badRun?: boolean;
  text?: string;
  lengths?: Int32Array;
  usernames?: Array<string | null>;
  /** A transformer bug (never expected): the message, thrown on the main thread. */
  crash?: string;
}

const OK = 0;
const INCOMPLETE = 1;
const NO_USERNAME = 2;
const THREW = 3;
/**
 * Per record: [kind, recordJson, errors (JSON array), desired (JSON, digests off), then with digests: title,
 * nameFirst, nameLast, email, groups, tags, profile (canonical JSON), digest, recordSha1].
 */
const FIELDS = 13;

/** Worker side: transforms every record of a segment (duplicates are the main thread's business). */
export function transformSegment(transformer: Transformer, request: SegmentRequest, digests: boolean): SegmentResponse {
  let records = request.records;
  if (request.text !== undefined) {
    const parsed = parseRun(request.text, request.count ?? 0);
    if (parsed === undefined) return { id: request.id, badRun: true };
    records = records.length > 0 ? records.concat(parsed) : parsed;
  }
  const lengths = new Int32Array(records.length * FIELDS).fill(-1);
  const usernames: Array<string | null> = new Array(records.length).fill(null);
  // Joined once at the end: a rope of += pieces costs more to flatten when the message is cloned.
  const texts: string[] = [];
  const put = (k: number, value: string) => {
    lengths[k] = value.length;
    texts.push(value);
  };
  for (let i = 0, k = 0; i < records.length; i++, k += FIELDS) {
    const record = records[i];
    const recordJson = rawRecordJson(record);
    put(k + 1, recordJson);
    try {
      const username = transformer.usernameOf(record);
      if (username === undefined) {
        lengths[k] = NO_USERNAME;
        continue;
      }
      usernames[i] = username;
      const result = transformer.transformWithUsername(record, request.base + i, username);
      if (result.errors.length > 0) put(k + 2, JSON.stringify(result.errors));
      const desired = result.desired;
      if (!result.complete || !desired) {
        lengths[k] = INCOMPLETE;
        if (digests) put(k + 12, hash('sha1', recordJson, 'hex'));
        continue;
      }
      lengths[k] = OK;
      if (!digests) {
        put(k + 3, JSON.stringify(desired));
        continue;
      }
      const parts = desiredStateParts(desired);
      if (desired.title !== undefined) put(k + 4, desired.title);
      put(k + 5, desired.nameFirst);
      put(k + 6, desired.nameLast);
      put(k + 7, desired.email);
      put(k + 8, parts.groups);
      put(k + 9, parts.tags);
      put(k + 10, parts.profile);
      put(k + 11, parts.digest);
      put(k + 12, hash('sha1', recordJson, 'hex'));
    } catch (err) {
      lengths[k] = THREW;
      put(k + 2, JSON.stringify([err instanceof Error ? (err.stack ?? err.message) : String(err)]));
    }
  }
  return { id: request.id, text: texts.join(''), lengths, usernames };
}

/**
 * A RecordOutcome from a worker's result. `record` and `desired` are parsed from their JSON on first read
 * (the apply worker never reads them: it uses `recordJson` and `parts`).
 */
export class ParallelOutcome implements RecordOutcome {
  status: RecordStatus;
  username?: string;
  complete: boolean;
  errors: string[];
  notes: string[];
  #record: unknown;
  #desired: DesiredUser | undefined;
  #desiredJson: string | undefined;

  constructor(
    readonly recordNumber: number,
    readonly fileName: string,
    status: RecordStatus,
    username: string | undefined,
    errors: string[],
    notes: string[],
    /** rawRecordJson(record). */
    readonly recordJson: string,
    /** sha1 hex of recordJson (records with a username that were transformed). */
    readonly recordSha1?: string,
    /** desiredStateParts(desired) (status 'ok', digests on). */
    readonly parts?: DesiredStateParts,
    /** The desired state's scalar fields (status 'ok', digests on). */
    readonly fields?: DesiredFields,
    desiredJson?: string,
  ) {
    this.#desiredJson = desiredJson;
    this.status = status;
    if (username !== undefined) this.username = username;
    this.complete = status === 'ok';
    this.errors = errors;
    this.notes = notes;
  }

  get record(): unknown {
    if (this.#record === undefined) this.#record = JSON.parse(this.recordJson);
    return this.#record;
  }

  /** Parsed from the worker's JSON of it (deep-equal to the sequential batch's; key order may differ). */
  get desired(): DesiredUser | undefined {
    if (this.#desired !== undefined) return this.#desired;
    if (this.#desiredJson !== undefined) this.#desired = JSON.parse(this.#desiredJson) as DesiredUser;
    else if (this.parts && this.fields && this.username !== undefined) {
      const { title, nameFirst, nameLast, email } = this.fields;
      const desired: DesiredUser = { username: this.username, nameFirst, nameLast, email } as DesiredUser;
      desired.groups = JSON.parse(this.parts.groups) as string[];
      desired.tags = JSON.parse(this.parts.tags) as DesiredUser['tags'];
      desired.profile = JSON.parse(this.parts.profile) as DesiredUser['profile'];
      if (title !== undefined) desired.title = title;
      this.#desired = desired;
    }
    return this.#desired;
  }
}

/**
 * Main side: the outcomes of one segment's records, applying the run-level rules that need the whole
 * run (duplicates, in record order) exactly as the sequential batch does.
 */
export function outcomesOf(
  response: SegmentResponse,
  base: number,
  fileName: string,
  seen: UsernameIndex,
): ParallelOutcome[] {
  const { text = '', lengths = new Int32Array(0), usernames = [] } = response;
  const count = lengths.length / FIELDS;
  const out: ParallelOutcome[] = new Array(count);
  let at = 0;
  const take = (k: number): string | undefined => {
    const length = lengths[k];
    if (length < 0) return undefined;
    at += length;
    return text.slice(at - length, at);
  };
  for (let i = 0, k = 0; i < count; i++, k += FIELDS) {
    const n = base + i;
    const kind = lengths[k];
    const recordJson = take(k + 1) as string;
    const errorsJson = take(k + 2);
    const desiredJson = take(k + 3);
    const title = take(k + 4);
    const nameFirst = take(k + 5);
    const nameLast = take(k + 6);
    const email = take(k + 7);
    const groups = take(k + 8);
    const tags = take(k + 9);
    const profile = take(k + 10);
    const digest = take(k + 11);
    const sha1 = take(k + 12);
    if (kind === NO_USERNAME) {
      const errors = [`No username in record ${n}: ${recordJson}`];
      out[i] = new ParallelOutcome(n, fileName, 'no-username', undefined, errors, [], recordJson);
      continue;
    }
    const username = usernames[i] as string;
    if (!seen.add(username)) {
      const errors = [`Duplicate username: ${username} (ignoring record ${n})`];
      out[i] = new ParallelOutcome(n, fileName, 'duplicate', username, errors, [], recordJson);
      continue;
    }
    const errors = errorsJson === undefined ? [] : (JSON.parse(errorsJson) as string[]);
    if (kind === THREW) throw new Error(`transform failed in a worker thread: ${errors[0]}`);
    if (kind === INCOMPLETE) {
      const notes = [`Record has missing data for username ${username} (ignoring)`];
      out[i] = new ParallelOutcome(n, fileName, 'incomplete', username, errors, notes, recordJson, sha1);
      continue;
    }
    if (digest === undefined) {
      out[i] = new ParallelOutcome(
        n,
        fileName,
        'ok',
        username,
        errors,
        [],
        recordJson,
        undefined,
        undefined,
        undefined,
        desiredJson,
      );
      continue;
    }
    const parts = { groups, tags, profile, digest } as DesiredStateParts;
    const fields = { nameFirst, nameLast, email } as DesiredFields;
    if (title !== undefined) fields.title = title;
    out[i] = new ParallelOutcome(n, fileName, 'ok', username, errors, [], recordJson, sha1, parts, fields);
  }
  return out;
}
