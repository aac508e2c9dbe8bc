import { findJsonErrorOffset } from '../validation/json-locate.js';
import { lineColumn } from '../validation/json-text.js';

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

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Splits a top-level JSON array (or object, whose values Haplo iterates) into records without holding the
 * document: it only tracks string and nesting state to find each element's end, then JSON.parse does
 * the real parsing of that one element. This is much faster than a token-level streaming parser, and
 * every record still gets JSON.parse's full validation.
 */
export class JsonSplitter {
  private mode: 'start' | 'array' | 'object' | 'done' = 'start';
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

  /** Feeds the next chunk of text and returns the records it completed. */
  push(chunk: string): unknown[] {
    const out: unknown[] = [];
    let start = this.inElement ? 0 : -1;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (isSpace(c)) continue;
      if (this.mode === 'start') {
        if (c === OPEN_ARRAY) this.mode = 'array';
        else if (c === OPEN_OBJECT) this.mode = 'object';
        else throw this.error(chunk, i, 'the file must hold a JSON array (or object) of records');
        continue;
      }
      if (this.mode === 'done') throw this.error(chunk, i, 'unexpected data after the end of the JSON document');
      if (this.depth === 0 && (c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT)) {
        const closing = c !== COMMA;
        if (closing && c !== (this.mode === 'array' ? CLOSE_ARRAY : CLOSE_OBJECT)) {
          throw this.error(chunk, i, `unexpected '${String.fromCharCode(c)}'`);
        }
        if (this.inElement) {
          out.push(this.finish(chunk, start, i));
          start = -1;
        } else if (c === COMMA || this.sawComma) {
          throw this.error(chunk, i, `unexpected '${String.fromCharCode(c)}' where a record was expected`);
        }
        this.sawComma = c === COMMA;
        if (closing) this.mode = 'done';
        continue;
      }
      if (!this.inElement) {
        this.inElement = true;
        start = i;
        const pos = this.position(chunk, i);
        this.elementLine = pos.line;
        this.elementColumn = pos.column;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) this.depth++;
      else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) this.depth--;
    }
    if (this.inElement) {
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
    return out;
  }

  /** Call at end of input: anything but a closed top-level container is an error. */
  end(): void {
    if (this.mode !== 'done') {
      const what =
        this.mode === 'start'
          ? 'the file is empty'
          : 'unexpected end of input: the top-level array or object is not closed';
      throw new JsonSplitError(what, this.linesBefore + 1, this.offset - this.lastLineStart + 1);
    }
  }

  private finish(chunk: string, start: number, end: number): unknown {
    const tail = chunk.slice(start >= 0 ? start : 0, end);
    const text = this.parts.length > 0 ? this.parts.join('') + tail : tail;
    this.parts = [];
    this.partsLength = 0;
    this.inElement = false;
    const recordNumber = this.recordNumber++;
    const parsedText = this.mode === 'array' ? text : `{${text}}`;
    try {
      if (this.mode === 'array') return JSON.parse(parsedText);
      // An object member `"key": value`: parse it as a one-member object and keep the value (Haplo's quirk).
      return Object.values(JSON.parse(parsedText) as Record<string, unknown>)[0];
    } catch (err) {
      const message = (err as Error).message;
      const at = /at position (\d+)/.exec(message);
      const found = at ? Number(at[1]) : findJsonErrorOffset(parsedText);
      const rel = lineColumn(text, Math.max(0, found - (this.mode === 'object' ? 1 : 0)));
      const line = this.elementLine + rel.line - 1;
      const column = rel.line === 1 ? this.elementColumn + rel.column - 1 : rel.column;
      const detail = message
        .replace(/, ".*" is not valid JSON$/s, '')
        .replace(/ in JSON at position \d+.*$/s, '')
        .replace(/^Unexpected/, 'unexpected');
      throw new JsonSplitError(`invalid JSON: ${detail}`, line, column, recordNumber);
    }
  }

  // Newlines are counted forward from the last asked position, so locating every record in a chunk stays linear.
  private scanPos = 0;
  private scanLine = 0;
  private scanLineStart = 0;

  private position(chunk: string, i: number): { line: number; column: number } {
    for (let j = chunk.indexOf('\n', this.scanPos); j !== -1 && j < i; j = chunk.indexOf('\n', j + 1)) {
      this.scanLine++;
      this.scanLineStart = this.offset + j + 1;
    }
    if (i > this.scanPos) this.scanPos = i;
    return { line: this.scanLine + 1, column: this.offset + i - this.scanLineStart + 1 };
  }

  private advance(chunk: string): void {
    this.scanPos = 0;
    for (let j = chunk.indexOf('\n'); j !== -1; j = chunk.indexOf('\n', j + 1)) {
      this.linesBefore++;
      this.lastLineStart = this.offset + j + 1;
    }
    this.offset += chunk.length;
    this.scanLine = this.linesBefore;
    this.scanLineStart = this.lastLineStart;
  }

  private error(chunk: string, i: number, message: string): JsonSplitError {
    const { line, column } = this.position(chunk, i);
    return new JsonSplitError(
      message,
      line,
      column,
      this.inElement || this.mode !== 'done' ? this.recordNumber : undefined,
    );
  }
}
