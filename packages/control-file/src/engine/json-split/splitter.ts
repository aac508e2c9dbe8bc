import { positionIn } from './positions.js';
import { parseRun, parseToLastBoundary } from './run-parse.js';
import { elementError, JsonSplitError } from './split-error.js';

/** Largest single record we hold in memory; a bigger one is almost surely a broken file. */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

const MODE_START = 0;
export const MODE_ARRAY = 1;
const MODE_OBJECT = 2;
const MODE_DONE = 3;

/**
 * Splits a top-level JSON array (or object, whose values Haplo iterates) into records without holding the
 * document: the exact scanner only tracks string and nesting state to find each element's end, then
 * JSON.parse does the real parsing (of runs of whole elements at once: run-parse.ts), so every record still
 * gets JSON.parse's full validation. Faster than a token-level streaming parser.
 */
export class JsonSplitter {
  protected mode = MODE_START;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: string[] = [];
  private partsLength = 0;
  private inElement = false;
  private elementLine = 1;
  private elementColumn = 1;
  protected linesBefore = 0; // newlines in all earlier chunks
  protected lastLineStart = 0; // absolute offset of the current line's start
  protected offset = 0; // absolute char offset of the current chunk
  protected recordNumber = 0;
  private sawComma = false;
  protected isArray = false;

  /** `fastRuns: false` keeps to the character scanner (tests compare the two). */
  constructor(private fastRuns = true) {}

  /** Feeds the next chunk of text and returns the records it completed. */
  push(chunk: string): unknown[] {
    const out: unknown[] = [];
    const from = this.fastRuns && this.mode === MODE_ARRAY ? this.fastRun(chunk, out) : 0;
    this.scan(chunk, from, out);
    return out;
  }

  /** The fast path (run-parse.ts); returns where the scan goes on, or 0 when it must do the whole chunk. */
  private fastRun(chunk: string, out: unknown[]): number {
    const fast = parseToLastBoundary(this.inElement ? this.parts : [], chunk);
    if (fast === 'no-boundary') return 0;
    if (fast === 'not-records') {
      this.fastRuns = false; // left off for this file (records holding arrays of objects make it guess wrong)
      return 0;
    }
    const parsed = fast.records;
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
    return fast.resume;
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
    this.completeRun(out, chunk, runStart, runEnd, runCount);
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

  /** The chunk's run of whole elements, at the end of its scan: parsed here (DeferringJsonSplitter defers it). */
  protected completeRun(out: unknown[], chunk: string, runStart: number, runEnd: number, count: number): void {
    this.flush(out, chunk, runStart, runEnd, count);
  }

  /**
   * Parses a run of whole elements of this chunk: in array mode in one JSON.parse (parseRun); on any
   * failure one by one, so the error names the same record, line and column as before.
   */
  protected flush(out: unknown[], chunk: string, runStart: number, runEnd: number, count: number): void {
    if (count === 0) return;
    const parsed = this.isArray ? parseRun(chunk.slice(runStart, runEnd), count) : undefined;
    if (parsed !== undefined) {
      for (let k = 0; k < count; k++) out.push(parsed[k]);
      this.recordNumber += count;
      return;
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
      throw elementError(err, text, this.isArray, this.elementLine, this.elementColumn, recordNumber);
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
