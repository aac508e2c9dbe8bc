/**
 * One chunk of the transform stage (transform-stage.ts): the COPY rows of a few thousand records, sent
 * in one round trip while the engine transforms the next chunk. For a direct first import the creates go to the
 * directory and every record's log lines straight to the run's log, in the order run-log-writer.ts gives.
 */
import type pg from 'pg';
import { copyBatch } from '@usersync/platform';
import {
  encodeFeedLogRow,
  feedChunkCopies,
  encodeFeedRow,
  type FeedLogRow,
  type FeedRow,
} from '../store/feed.repository.js';
import { CopyRows } from '../engine/copy-writer.js';
import { EncodedCreates, type DirectCreates } from '../engine/create-rows.js';
import { createsCopies } from '../store/direct-create.repository.js';

/**
 * One chunk's COPY rows. Rows and lines are encoded the moment a record yields them, so no record's
 * objects outlive it (kept for a whole chunk they were costly garbage; bench/README.md).
 */
export class Chunk implements FeedSink {
  private readonly feed = new CopyRows();
  private readonly log = new CopyRows();
  private readonly creates: EncodedCreates | undefined;
  /** A direct import's lines of the current record, waiting for its action line (which comes first). */
  private waiting: FeedLogRow[] = [];
  /** The record whose action line is written: its later lines (notes) follow at once. */
  private actionRec = -1;
  size = 0;

  constructor(private readonly direct: DirectCreates | undefined) {
    this.creates = direct ? new EncodedCreates(direct.runId, direct.storePlan) : undefined;
  }

  row(r: FeedRow): void {
    this.size++;
    if (!this.creates || !r.valid) return encodeFeedRow(this.feed, r);
    this.creates.add(r, this.direct!.nextId++);
    // The log as run-log-writer orders it: per record, its action line, then its ERROR lines and notes.
    if (this.waiting.length > 0 && this.waiting[0]!.rec !== r.rec) this.release();
    this.logLine({ level: 'info', username: r.username, text: `create ${r.username}` });
    this.actionRec = r.rec;
    this.release();
  }

  line(l: FeedLogRow): void {
    this.size++;
    if (!this.creates) return encodeFeedLogRow(this.log, l);
    if (l.rec === this.actionRec) return this.logLine(l);
    if (this.waiting.length > 0 && this.waiting[0]!.rec !== l.rec) this.release();
    this.waiting.push(l);
  }

  /**
   * Sends every table's rows of the chunk as one round trip (platform's copyBatch).
   */
  async write(client: pg.ClientBase): Promise<void> {
    this.release(); // a record's lines never span chunks: chunks end between records
    const creates = this.creates ? createsCopies(this.creates) : [];
    await copyBatch(client, [...creates, ...feedChunkCopies(this.feed, this.log)]);
  }

  private release(): void {
    for (const l of this.waiting) this.logLine(l);
    this.waiting = [];
  }

  private logLine(l: Pick<FeedLogRow, 'level' | 'username' | 'text'>): void {
    this.creates!.logLine(this.direct!.nextLogSeq++, l);
  }
}

/** Where addOutcome puts a record's feed row and log lines. */
export interface FeedSink {
  row(r: FeedRow): void;
  line(l: FeedLogRow): void;
}
