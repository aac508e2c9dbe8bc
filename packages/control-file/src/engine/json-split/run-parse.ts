// The fast JSON.parse paths of the splitter: many whole records in one JSON.parse call instead of one each.
import { lastObjectBoundary } from './positions.js';

/**
 * The `count` records of a run of whole top-level array elements (`text` without the brackets), or
 * undefined when `[text]` does not parse as exactly that many: the caller then parses element by element
 * for the exact error. In array mode the run is a valid array body exactly when every element is valid JSON.
 */
export function parseRun(text: string, count: number): unknown[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(`[${text}]`);
  } catch {
    return undefined;
  }
  return Array.isArray(parsed) && parsed.length === count ? parsed : undefined;
}

/**
 * The records before the chunk's last `}` , `{` (with any whitespace), parsed in one JSON.parse without
 * scanning them, after the `carried` start of an element from earlier chunks, and where the scan goes on
 * (after that comma). 'no-boundary' when the chunk has no such cut; 'not-records' when the text does not
 * parse (the records evidently do not suit this path).
 *
 * Why a successful parse proves the cut: the text parsed starts where an element starts at depth 1 (the
 * carried element's first character, or the chunk's start when no element is open, which is after `[` or
 * a top-level `,`). JSON's grammar reads left to right without lookahead beyond the current token, so if
 * `[` + text + `]` is a valid array, the document reads that text as the same whole elements and is after
 * one at depth 1 at the cut: a cut inside a string or at depth > 1 cannot close the array, and a cut after
 * `}` cannot split a token. Each element is valid JSON, so the scanner would have returned these very
 * records without an error. On failure (a nested `},{`, a string holding one, a bad record) nothing has
 * been consumed, and the scanner does the chunk, so errors stay exactly as they were.
 */
export function parseToLastBoundary(
  carried: readonly string[],
  chunk: string,
): { records: unknown[]; resume: number } | 'no-boundary' | 'not-records' {
  const cut = lastObjectBoundary(chunk);
  if (cut < 0) return 'no-boundary';
  let records: unknown[];
  try {
    records = JSON.parse(`[${carried.join('')}${chunk.slice(0, cut)}]`) as unknown[];
  } catch {
    return 'not-records';
  }
  return { records, resume: chunk.indexOf(',', cut) + 1 };
}
