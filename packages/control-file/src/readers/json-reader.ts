import { ReaderError } from '../errors.js';
import type { FileSpec, SourceRecord } from '../model/types.js';
import { withPosition } from '../validation/json-text.js';
import { decodeText, stripBom, type ByteSource } from './decode.js';
import { jsonRecordSource, JsonSplitError, MAX_RECORD_CHARS } from '../engine/record-source.js';

/**
 * `json`: each element of the top-level array is a record; a top-level object yields its values (Haplo's
 * quirk); `singleRecord` makes the whole document one record. Always UTF-8, as in Haplo.
 */
export async function* readJson(fileName: string, spec: FileSpec, source: ByteSource): AsyncGenerator<SourceRecord> {
  for await (const batch of readJsonBatches(fileName, spec, source)) yield* batch;
}

/** The same records, one array per input chunk: one await per chunk instead of one per record. */
export async function* readJsonBatches(
  fileName: string,
  spec: FileSpec,
  source: ByteSource,
): AsyncGenerator<SourceRecord[]> {
  const text = stripBom(decodeText(source, 'utf-8'));
  if (spec.singleRecord) {
    yield [await readWhole(fileName, text)];
    return;
  }
  const recordSource = jsonRecordSource();
  try {
    for await (const chunk of text) {
      const records = recordSource.push(chunk);
      if (records.length > 0) yield records as SourceRecord[];
    }
    recordSource.end();
  } catch (err) {
    if (err instanceof JsonSplitError) {
      throw new ReaderError(
        fileName,
        err.message,
        { line: err.line, column: err.column, recordNumber: err.recordNumber },
        { cause: err },
      );
    }
    throw err;
  }
}

async function readWhole(fileName: string, text: AsyncIterable<string>): Promise<SourceRecord> {
  const parts: string[] = [];
  let length = 0;
  for await (const chunk of text) {
    length += chunk.length;
    if (length > MAX_RECORD_CHARS)
      throw new ReaderError(fileName, `a singleRecord file must be smaller than ${MAX_RECORD_CHARS} characters`);
    parts.push(chunk);
  }
  const whole = parts.join('');
  try {
    return JSON.parse(whole) as SourceRecord;
  } catch (err) {
    throw new ReaderError(fileName, `invalid JSON: ${withPosition((err as Error).message, whole)}`, {}, { cause: err });
  }
}
