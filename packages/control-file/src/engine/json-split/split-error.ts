import { findJsonErrorOffset } from '../../validation/json-locate.js';
import { lineColumn } from '../../validation/json-text.js';

/** A JSON file the splitter cannot read: what is wrong, where, and in which record (0-based). */
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
 * The error for one element that JSON.parse refused: `parsedText` is what was parsed (`text`, or in object
 * mode `{text}`), and the element starts at `line`/`column` of the file.
 */
export function elementError(
  err: unknown,
  text: string,
  isArray: boolean,
  line: number,
  column: number,
  recordNumber: number,
): JsonSplitError {
  const parsedText = isArray ? text : `{${text}}`;
  const message = (err as Error).message;
  const at = /at position (\d+)/.exec(message);
  const found = at ? Number(at[1]) : findJsonErrorOffset(parsedText);
  const rel = lineColumn(text, Math.max(0, found - (isArray ? 0 : 1)));
  const detail = message
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/^Unexpected/, 'unexpected');
  return new JsonSplitError(
    `invalid JSON: ${detail}`,
    line + rel.line - 1,
    rel.line === 1 ? column + rel.column - 1 : rel.column,
    recordNumber,
  );
}
