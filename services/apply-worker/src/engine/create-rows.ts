/**
 * The COPY text rows of a first import's creates (users, sync memberships, history, last records, the stored
 * plan, the temp plan's slim rows, the run's log lines), encoded as each record comes: the direct import's fast path
 * (usecases/direct-import.ts; store/direct-create.repository.ts COPYs them). Its equivalence with the planned
 * path is test/integration/direct-creates.test.ts.
 */
import { bool, CopyRows, field, jsonField } from './copy-writer.js';
import type { RunLogLine } from '@usersync/run-state';
import type { FeedRow } from '../store/feed.repository.js';

const after = (field: string, json: string) => `{"field":"${field}","before":null,"after":${json}}`;
const text = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));

/** A create's change list, as plan.repository's CREATED builds it in SQL. */
function createdChanges(r: FeedRow): string {
  return `[${after('email', text(r.email))},${after('groups', r.groupsJson!)},${after('nameFirst', text(r.nameFirst))},${after(
    'nameLast',
    text(r.nameLast),
  )},${after('profile', r.profileJson!)},${after('tags', r.tagsJson!)},${after('title', text(r.title))}]`;
}

/** What a direct first import tells the transform stage. */
export interface DirectCreates {
  runId: number;
  /** The next user id to give; advanced by the stage. */
  nextId: number;
  /** Write the stored plan's rows too; false when the approved preview's rows stay (direct-import.ts). */
  storePlan: boolean;
  /** The seq of the next log line (START, seq 0, is written before the transform); advanced by the stage. */
  nextLogSeq: number;
}

/** The COPY rows of a chunk's creates, encoded as the records come (no row object outlives its record). */
export class EncodedCreates {
  readonly users = new CopyRows();
  readonly memberships = new CopyRows();
  readonly history = new CopyRows();
  readonly records = new CopyRows();
  readonly stored = new CopyRows();
  readonly plan = new CopyRows();
  readonly log = new CopyRows();

  /** `storePlan`: encode the stored plan's rows (runs.run_plan) too; without it `stored` stays empty. */
  constructor(
    private readonly runId: number,
    private readonly storePlan = true,
  ) {}

  /** Encodes the valid row `r` as the create of user `id`. */
  add(r: FeedRow, id: number): void {
    const runId = this.runId;
    const username = field(r.username);
    this.users.add(
      `${id}\t${username}\t${field(r.title)}\t${field(r.nameFirst)}\t${field(r.nameLast)}\t${field(r.email)}\t` +
        `t\tt\t${bool(r.hasError)}\tt\t${jsonField(r.tagsJson)}\t${jsonField(r.profileJson)}\t${field(r.digest)}\t${runId}\n`,
    );
    for (const code of JSON.parse(r.groupsJson!) as string[]) this.memberships.add(`${id}\t${field(code)}\tsync\n`);
    this.history.add(`${runId}\t${id}\tcreate\t\\N\n`); // the change list is the stored plan's (migration 003)
    this.records.add(`${id}\t${runId}\t${jsonField(r.recordJson)}\t${r.recordDigest}\n`);
    if (this.storePlan) this.stored.add(`${runId}\t${username}\tcreate\t${jsonField(createdChanges(r))}\n`);
    this.plan.add(`${username}\t${r.rec}\t${id}\tcreate\t${field(r.digest)}\n`);
  }

  /** Encodes line `seq` of the run's log (run-state's RUN_LOG_COPY_COLUMNS). */
  logLine(seq: number, l: RunLogLine): void {
    this.log.add(`${this.runId}\t${seq}\t${l.level}\t${field(l.username)}\t${field(l.text)}\n`);
  }
}
