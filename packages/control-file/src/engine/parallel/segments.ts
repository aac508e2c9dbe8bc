import { ReaderError } from '../../errors.js';
import type { FileSpec } from '../../model/types.js';
import type { ByteSource } from '../../readers/decode.js';
import { decodeText, stripBom } from '../../readers/decode.js';
import { readRecordBatches } from '../../readers/read-records.js';
import { DeferringJsonSplitter, replayJsonRun, type DeferredJsonRun } from '../json-split/deferring-splitter.js';
import { parseRun } from '../json-split/run-parse.js';
import { JsonSplitError } from '../json-split/split-error.js';

/**
 * Part of a file for the parallel batch: `records` already parsed, then (JSON arrays only) a run of
 * unparsed elements that a worker thread parses. Together they are the next `records.length + run.count`
 * records of the file, in order.
 */
export interface RecordSegment {
  records: unknown[];
  run?: DeferredJsonRun;
}

// Worker messages have a fixed cost each way, so a segment gathers many stream chunks; larger ones only raised
// RSS (measurements: bench/README.md, "control-file engine").
export const SEGMENT_CHARS = 64 * 1024;

/**
 * The records of one file as segments, for parallel parsing. A top-level JSON array is only scanned here
 * (string and nesting state); every other reader parses on this thread. Errors are the sequential
 * readers' errors: call `parseSegmentRun` to parse (or fail on) a run exactly as `readRecords` would.
 */
export async function* readRecordSegments(
  fileName: string,
  spec: FileSpec,
  source: ByteSource,
  segmentChars = SEGMENT_CHARS,
): AsyncGenerator<RecordSegment> {
  if (spec.read !== 'json' || spec.singleRecord) {
    for await (const records of readRecordBatches(fileName, spec, source)) yield { records };
    return;
  }
  const splitter = new DeferringJsonSplitter();
  try {
    for await (const text of gather(stripBom(decodeText(source, 'utf-8')), segmentChars)) {
      const segment = splitter.pushDeferred(text);
      if (segment.records.length > 0 || segment.run) yield segment;
    }
    splitter.end();
  } catch (err) {
    throw readerError(fileName, err);
  }
}

/** Parses a segment's run the fast way (as a worker does), or replays it for the sequential error. */
export function parseSegmentRun(fileName: string, run: DeferredJsonRun): unknown[] {
  return parseRun(run.text, run.count) ?? replayRun(fileName, run);
}

/** The sequential reader's result for a run: its records, or its ReaderError. */
export function replayRun(fileName: string, run: DeferredJsonRun): unknown[] {
  try {
    return replayJsonRun(run);
  } catch (err) {
    throw readerError(fileName, err);
  }
}

function readerError(fileName: string, err: unknown): unknown {
  if (!(err instanceof JsonSplitError)) return err;
  return new ReaderError(
    fileName,
    err.message,
    { line: err.line, column: err.column, recordNumber: err.recordNumber },
    { cause: err },
  );
}

async function* gather(chunks: AsyncIterable<string>, size: number): AsyncGenerator<string> {
  let parts: string[] = [];
  let length = 0;
  for await (const whole of chunks) {
    // A huge chunk (a string or buffer source) is cut, so every worker gets a share.
    for (let at = 0; at < whole.length; at += size) {
      const chunk = whole.length <= size ? whole : whole.slice(at, at + size);
      parts.push(chunk);
      length += chunk.length;
      if (length >= size) {
        yield parts.length === 1 ? parts[0] : parts.join('');
        parts = [];
        length = 0;
      }
    }
  }
  if (length > 0) yield parts.join('');
}
