/**
 * The JSON reader's record source: the records of a top-level JSON array (or the values of a top-level
 * object), fed the document's text chunk by chunk. What a record is stays the reader's business
 * (readers/json-reader.ts); how the text is split and parsed fast is the engine's (json-split/).
 * Contract: the records are JSON.parse's for each element, and a bad document fails with a JsonSplitError
 * naming the same line, column and record however the text is cut (json-split/splitter.test.ts).
 */
import { JsonSplitter } from './json-split/splitter.js';

export { JsonSplitError } from './json-split/split-error.js';
export { MAX_RECORD_CHARS } from './json-split/splitter.js';

export interface JsonRecordSource {
  /** The records the chunk completed, in order. Throws JsonSplitError. */
  push(chunk: string): unknown[];
  /** At end of input: throws JsonSplitError unless the top-level array or object was closed. */
  end(): void;
}

export function jsonRecordSource(): JsonRecordSource {
  return new JsonSplitter();
}
