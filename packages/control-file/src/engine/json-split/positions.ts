// Positions in a chunk of JSON text, for JsonSplitter.

const COMMA = 0x2c;
const CLOSE_OBJECT = 0x7d;

/**
 * The end (exclusive) of the last `}` in `chunk` followed by whitespace, `,`, whitespace and `{`: most
 * likely the end of a record of a flat array of objects. -1 when there is none.
 */
export function lastObjectBoundary(chunk: string): number {
  for (let open = chunk.lastIndexOf('{'); open > 0; open = chunk.lastIndexOf('{', open - 1)) {
    let j = open - 1;
    while (j >= 0 && isSpace(chunk.charCodeAt(j))) j--;
    if (j < 0 || chunk.charCodeAt(j) !== COMMA) continue;
    j--;
    while (j >= 0 && isSpace(chunk.charCodeAt(j))) j--;
    if (j >= 0 && chunk.charCodeAt(j) === CLOSE_OBJECT) return j + 1;
  }
  return -1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** 1-based line and column of `chunk[i]`, given the newlines before the chunk. Only for errors and carry-overs. */
export function positionIn(
  chunk: string,
  i: number,
  linesBefore: number,
  lastLineStart: number,
  offset: number,
): { line: number; column: number } {
  let line = linesBefore;
  let lineStart = lastLineStart;
  for (let j = chunk.indexOf('\n'); j !== -1 && j < i; j = chunk.indexOf('\n', j + 1)) {
    line++;
    lineStart = offset + j + 1;
  }
  return { line: line + 1, column: offset + i - lineStart + 1 };
}
