import type { DesiredUser } from '../model/types.js';
import type { DesiredStateParts } from './desired-state.js';

export type RecordStatus = 'ok' | 'incomplete' | 'no-username' | 'duplicate' | 'unchanged';

/** The scalar fields of a desired state, given apart so a consumer need not parse the whole state. */
export interface DesiredFields {
  title?: string;
  nameFirst: string;
  nameLast: string;
  email: string;
}

/**
 * What happened to one record of a run, with the log lines Haplo would write for it. Both batches (the
 * sequential `compile` and the parallel one) give this one shape.
 */
export interface RecordOutcome {
  /** 0-based, counted across all files of the run (Haplo's recordCount). */
  recordNumber: number;
  fileName: string;
  /** The record as read; `rawRecordJson(record)` gives the JSON to store. */
  record: unknown;
  status: RecordStatus;
  username?: string;
  /** Present when status is 'ok'. */
  desired?: DesiredUser;
  complete: boolean;
  /** `ERROR:` lines, without the prefix. A complete record with errors still applies; the user is flagged. */
  errors: string[];
  /** Plain log lines after the errors, e.g. `Record has missing data for username x (ignoring)`. */
  notes: string[];
  /**
   * rawRecordJson(record), when already computed: by the parallel batch's workers, or by the caller's
   * UnchangedCheck.
   */
  readonly recordJson?: string;
  /** sha1 hex of recordJson, for records with a username (parallel batch, or the UnchangedCheck). */
  readonly recordSha1?: string;
  /** Parallel batch with digests, status 'ok': desiredStateParts(desired) as the worker computed it. */
  readonly parts?: DesiredStateParts;
  /** Parallel batch with digests, status 'ok': title, nameFirst, nameLast, email of `desired`, without parsing it. */
  readonly fields?: DesiredFields;
}
