import { findJsonErrorOffset } from '../validation/json-locate.js';
import { lineColumn } from '../validation/json-text.js';
import { lastObjectBoundary, positionIn } from './json-positions.js';

/** Largest single record we hold in memory; a bigger one is almost surely a broken file. */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

export class JsonSplitError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly recordNumber?: number,
  ) {
    super(message);
  }
}

/**
 * Splits a top-level JSON array (or object, whose values Haplo iterates) into records without holding the
 * document: it only tracks string and nesting state to find each element's end, then JSON.parse does
 * the real parsing of that one element. This is much faster than a token-level streaming parser, and
 * every record still gets JSON.parse's full validation.
 */
const MODE_START = 0;
const MODE_ARRAY = 1;
const MODE_OBJECT = 2;
const MODE_DONE = 3;

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
  const splitter = new JsonSplitter();
  splitter.restore(run);
  const out: unknown[] = [];
  splitter.replay(out, run);
  return out;
}

export class JsonSplitter {
  private mode = MODE_START;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: string[] = [];
  private partsLength = 0;
  private inElement = false;
  private elementLine = 1;
  private elementColumn = 1;
  private linesBefore = 0; // newlines in all earlier chunks
  private lastLineStart = 0; // absolute offset of the current line's start
  private offset = 0; // absolute char offset of the current chunk
  private recordNumber = 0;
  private sawComma = false;
  private isArray = false;

  /** `fastRuns: false` keeps to the character scanner (tests compare the two). */
  constructor(private fastRuns = true) {}

  /** Feeds the next chunk of text and returns the records it completed. */
  push(chunk: string): unknown[] {
    const out: unknown[] = [];
    const from = this.fastRuns && this.mode === MODE_ARRAY && !this.deferRuns ? this.fastRun(chunk, out) : 0;
    this.scan(chunk, from, out);
    return out;
  }

  /**
   * Parses the records before the chunk's last `}` , `{` (with any whitespace) in one JSON.parse, without
   * scanning them; returns where the scan goes on, or 0 when it must do the whole chunk.
   *
   * Why a successful parse proves the cut: the text parsed starts where an element starts at depth 1 (the
   * carried element's first character, or the chunk's start when no element is open, which is after `[` or
   * a top-level `,`). JSON's grammar reads left to right without lookahead beyond the current token, so if
   * `[` + text + `]` is a valid array, the document reads that text as the same whole elements and is after
   * one at depth 1 at the cut: a cut inside a string or at depth > 1 cannot close the array, and a cut after
   * `}` cannot split a token. Each element is valid JSON, so the scanner would have returned these very
   * records without an error. On failure (a nested `},{`, a string holding one, a bad record) nothing has
   * changed and the scanner does the chunk, so errors stay exactly as they were; the fast path is then
   * left off for this file, whose records evidently do not suit it.
   */
  private fastRun(chunk: string, out: unknown[]): number {
    const cut = lastObjectBoundary(chunk);
    if (cut < 0) return 0;
    const carried = this.inElement ? this.parts.join('') : '';
    let parsed: unknown[];
    try {
      parsed = JSON.parse(`[${carried}${chunk.slice(0, cut)}]`) as unknown[];
    } catch {
      this.fastRuns = false;
      return 0;
    }
    for (let k = 0; k < parsed.length; k++) out.push(parsed[k]);
    this.recordNumber += parsed.length;
    // After the cut's comma: no element open, nothing carried.
    this.parts = [];
    this.partsLength = 0;
    this.inElement = false;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.sawComma = true;
    return chunk.indexOf(',', cut) + 1;
  }

  /** The character scanner, from `from` (where no element is open, unless it is 0) to the chunk's end. */
  private scan(chunk: string, from: number, out: unknown[]): void {
    // Elements that start and end in this chunk are parsed together, with one JSON.parse per run (see flush).
    let runStart = -1;
    let runEnd = -1;
    let runCount = 0;
    let start = this.inElement ? 0 : -1;
    let depth = this.depth;
    let inString = this.inString;
    const n = chunk.length;
    let i = from;
    if (inString && this.escaped && n > 0) {
      this.escaped = false;
      i = 1; // the escaped character itself
    }
    for (; i < n; i++) {
      if (inString) {
        // A tight loop to the closing quote; a backslash skips the next character (maybe in the next chunk).
        for (; i < n; i++) {
          const c = chunk.charCodeAt(i);
          if (c === QUOTE) break;
          if (c === BACKSLASH) i++;
        }
        if (i >= n) {
          this.escaped = i > n;
          break;
        }
        inString = false;
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (this.mode !== MODE_ARRAY && this.mode !== MODE_OBJECT) {
        if (this.mode === MODE_START) {
          if (c === OPEN_ARRAY) {
            this.mode = MODE_ARRAY;
            this.isArray = true;
          } else if (c === OPEN_OBJECT) this.mode = MODE_OBJECT;
          else throw this.error(chunk, i, 'the file must hold a JSON array (or object) of records');
          continue;
        }
        this.flush(out, chunk, runStart, runEnd, runCount);
        throw this.error(chunk, i, 'unexpected data after the end of the JSON document');
      }
      if (depth === 0 && (c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT)) {
        const closing = c !== COMMA;
        if (closing && c !== (this.mode === MODE_ARRAY ? CLOSE_ARRAY : CLOSE_OBJECT)) {
          this.flush(out, chunk, runStart, runEnd, runCount);
          throw this.error(chunk, i, `unexpected '${String.fromCharCode(c)}'`);
        }
        if (this.inElement) {
          if (!this.startedBefore) {
            // Started in this chunk: join the run.
            if (runStart < 0) runStart = start;
            runEnd = i;
            runCount++;
            this.inElement = false;
          } else {
            this.flush(out, chunk, runStart, runEnd, runCount);
            runStart = -1;
            runCount = 0;
            out.push(this.finish(chunk, start, i));
          }
          start = -1;
        } else if (c === COMMA || this.sawComma) {
          this.flush(out, chunk, runStart, runEnd, runCount);
          throw this.error(chunk, i, `unexpected '${String.fromCharCode(c)}' where a record was expected`);
        }
        this.sawComma = c === COMMA;
        if (closing) this.mode = MODE_DONE;
        continue;
      }
      if (!this.inElement) {
        this.inElement = true;
        this.startedBefore = false;
        start = i;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) depth++;
      else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
    }
    this.depth = depth;
    this.inString = inString;
    if (this.deferRuns && this.isArray && runCount > 0) {
      // Parsing is left to the caller (a worker thread); replayJsonRun reproduces any error exactly.
      this.deferred = {
        text: chunk.slice(runStart, runEnd),
        count: runCount,
        chunk,
        runStart,
        runEnd,
        linesBefore: this.linesBefore,
        lastLineStart: this.lastLineStart,
        offset: this.offset,
        recordNumber: this.recordNumber,
      };
      this.recordNumber += runCount;
    } else this.flush(out, chunk, runStart, runEnd, runCount);
    if (this.inElement) {
      if (!this.startedBefore) {
        // The element goes on into the next chunk: fix its position now, while this chunk is at hand.
        const pos = positionIn(chunk, start, this.linesBefore, this.lastLineStart, this.offset);
        this.elementLine = pos.line;
        this.elementColumn = pos.column;
        this.startedBefore = true;
      }
      const piece = start >= 0 ? chunk.slice(start) : chunk;
      this.parts.push(piece);
      this.partsLength += piece.length;
      if (this.partsLength > MAX_RECORD_CHARS) {
        throw new JsonSplitError(
          `record is larger than ${MAX_RECORD_CHARS} characters`,
          this.elementLine,
          this.elementColumn,
          this.recordNumber,
        );
      }
    }
    this.advance(chunk);
  }

  /** True once the current element has been carried over from an earlier chunk. */
  private startedBefore = false;
  private deferRuns = false;
  private deferred: DeferredJsonRun | undefined;

  /**
   * Like `push`, but the chunk's run of whole array elements is returned unparsed (`run`), after the
   * `records` parsed here (an element carried over from earlier chunks). Errors found while scanning are
   * thrown as `push` throws them; if the chunk's run is itself invalid, its error wins, as in `push`.
   */
  pushDeferred(chunk: string): { records: unknown[]; run?: DeferredJsonRun } {
    this.deferRuns = true;
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

  /**
   * Parses a run of whole elements of this chunk. In array mode the run's text is a valid array body
   * exactly when every element is valid JSON, so one JSON.parse('[…]') does them all; on any failure the
   * elements are parsed one by one so the error names the same record, line and column as before.
   */
  private flush(out: unknown[], chunk: string, runStart: number, runEnd: number, count: number): void {
    if (count === 0) return;
    if (this.isArray) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(`[${chunk.slice(runStart, runEnd)}]`);
      } catch {
        parsed = undefined;
      }
      if (Array.isArray(parsed) && parsed.length === count) {
        for (let k = 0; k < count; k++) out.push(parsed[k]);
        this.recordNumber += count;
        return;
      }
    }
    // One by one: find each element's bounds again (rare: object mode, or a bad element somewhere).
    let depth = 0;
    let inString = false;
    let start = -1;
    for (let i = runStart; i <= runEnd; i++) {
      const c = chunk.charCodeAt(i);
      if (inString) {
        if (c === BACKSLASH) i++;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (i === runEnd || (depth === 0 && c === COMMA)) {
        out.push(this.finish(chunk, start, i, true));
        start = -1;
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (start < 0) start = i;
      if (c === QUOTE) inString = true;
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) depth++;
      else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
    }
  }

  /** For replayJsonRun: the splitter state at the run's flush. */
  restore(run: DeferredJsonRun): void {
    this.mode = MODE_ARRAY;
    this.isArray = true;
    this.linesBefore = run.linesBefore;
    this.lastLineStart = run.lastLineStart;
    this.offset = run.offset;
    this.recordNumber = run.recordNumber;
  }

  /** For replayJsonRun. */
  replay(out: unknown[], run: DeferredJsonRun): void {
    this.flush(out, run.chunk, run.runStart, run.runEnd, run.count);
  }

  /** Call at end of input: anything but a closed top-level container is an error. */
  end(): void {
    if (this.mode !== MODE_DONE) {
      const what =
        this.mode === MODE_START
          ? 'the file is empty'
          : 'unexpected end of input: the top-level array or object is not closed';
      throw new JsonSplitError(what, this.linesBefore + 1, this.offset - this.lastLineStart + 1);
    }
  }

  /** Parses one element; `fresh` means it started in this chunk (its position is computed only on error). */
  private finish(chunk: string, start: number, end: number, fresh = false): unknown {
    const tail = chunk.slice(start >= 0 ? start : 0, end);
    const text = !fresh && this.parts.length > 0 ? this.parts.join('') + tail : tail;
    if (!fresh) {
      // A fresh element comes from flush's rescan of a run, while this chunk may already have started the
      // next element: its state must survive (object mode used to lose an element cut after its first quote).
      this.parts = [];
      this.partsLength = 0;
      this.inElement = false;
      this.startedBefore = false;
    }
    const recordNumber = this.recordNumber++;
    const parsedText = this.isArray ? text : `{${text}}`;
    try {
      if (this.isArray) return JSON.parse(parsedText);
      // An object member `"key": value`: parse it as a one-member object and keep the value (Haplo's quirk).
      return Object.values(JSON.parse(parsedText) as Record<string, unknown>)[0];
    } catch (err) {
      if (fresh) {
        const pos = positionIn(chunk, start, this.linesBefore, this.lastLineStart, this.offset);
        this.elementLine = pos.line;
        this.elementColumn = pos.column;
      }
      const message = (err as Error).message;
      const at = /at position (\d+)/.exec(message);
      const found = at ? Number(at[1]) : findJsonErrorOffset(parsedText);
      const rel = lineColumn(text, Math.max(0, found - (this.isArray ? 0 : 1)));
      const line = this.elementLine + rel.line - 1;
      const column = rel.line === 1 ? this.elementColumn + rel.column - 1 : rel.column;
      const detail = message
        .replace(/, ".*" is not valid JSON$/s, '')
        .replace(/ in JSON at position \d+.*$/s, '')
        .replace(/^Unexpected/, 'unexpected');
      throw new JsonSplitError(`invalid JSON: ${detail}`, line, column, recordNumber);
    }
  }

  private advance(chunk: string): void {
    for (let j = chunk.indexOf('\n'); j !== -1; j = chunk.indexOf('\n', j + 1)) {
      this.linesBefore++;
      this.lastLineStart = this.offset + j + 1;
    }
    this.offset += chunk.length;
  }

  private error(chunk: string, i: number, message: string): JsonSplitError {
    const { line, column } = positionIn(chunk, i, this.linesBefore, this.lastLineStart, this.offset);
    return new JsonSplitError(
      message,
      line,
      column,
      this.inElement || this.mode !== MODE_DONE ? this.recordNumber : undefined,
    );
  }
}
