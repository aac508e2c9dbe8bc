// The splitter of the parallel batch: it finds the records of a chunk but leaves their parsing to a worker.
import { JsonSplitter, MODE_ARRAY } from './splitter.js';

/** A run of whole array elements of one chunk, left unparsed by `pushDeferred`. */
export interface DeferredJsonRun {
  /** The elements' text, without the brackets: `JSON.parse('[' + text + ']')` gives `count` records. */
  text: string;
  count: number;
  /** Where the run sits, to replay it with the splitter's own errors. */
  chunk: string;
  runStart: number;
  runEnd: number;
  linesBefore: number;
  lastLineStart: number;
  offset: number;
  recordNumber: number;
}

/**
 * Parses a deferred run as `push` would have: its records, or the same JsonSplitError (record, line,
 * column) for its first bad element. Used when the fast parse of `text` failed.
 */
export function replayJsonRun(run: DeferredJsonRun): unknown[] {
  const splitter = new DeferringJsonSplitter();
  const out: unknown[] = [];
  splitter.replay(out, run);
  return out;
}

/** A JsonSplitter (scanner only) whose `pushDeferred` returns each chunk's run of whole elements unparsed. */
export class DeferringJsonSplitter extends JsonSplitter {
  private deferred: DeferredJsonRun | undefined;

  constructor() {
    super(false);
  }

  /**
   * Like `push`, but the chunk's run of whole array elements is returned unparsed (`run`), after the
   * `records` parsed here (an element carried over from earlier chunks). Errors found while scanning are
   * thrown as `push` throws them; if the chunk's run is itself invalid, its error wins, as in `push`.
   */
  pushDeferred(chunk: string): { records: unknown[]; run?: DeferredJsonRun } {
    this.deferred = undefined;
    try {
      const records = this.push(chunk);
      const run = this.deferred;
      this.deferred = undefined;
      return run ? { records, run } : { records };
    } catch (err) {
      const run = this.deferred;
      this.deferred = undefined;
      if (run) replayJsonRun(run);
      throw err;
    }
  }

  /** Array mode: the run is left to the caller (a worker thread); replayJsonRun reproduces any error exactly. */
  protected override completeRun(out: unknown[], chunk: string, runStart: number, runEnd: number, count: number) {
    if (!this.isArray || count === 0) {
      super.completeRun(out, chunk, runStart, runEnd, count);
      return;
    }
    this.deferred = {
      text: chunk.slice(runStart, runEnd),
      count,
      chunk,
      runStart,
      runEnd,
      linesBefore: this.linesBefore,
      lastLineStart: this.lastLineStart,
      offset: this.offset,
      recordNumber: this.recordNumber,
    };
    this.recordNumber += count;
  }

  /** For replayJsonRun: the splitter state at the run's flush, then the flush. */
  replay(out: unknown[], run: DeferredJsonRun): void {
    this.mode = MODE_ARRAY;
    this.isArray = true;
    this.linesBefore = run.linesBefore;
    this.lastLineStart = run.lastLineStart;
    this.offset = run.offset;
    this.recordNumber = run.recordNumber;
    this.flush(out, run.chunk, run.runStart, run.runEnd, run.count);
  }
}
