import type { FileSpec, SourceRecord } from '../model/types.js';
import { readCsv } from './csv-reader.js';
import type { ByteSource } from './decode.js';
import { readJson, readJsonBatches } from './json-reader.js';
import { readOneRoster } from './oneroster/oneroster-bundle.js';
import { readTsv } from './tsv-reader.js';
import { readXml } from './xml-reader.js';

/**
 * Streams the records of one data file with the reader its `files` entry names. Memory stays bounded by
 * the largest record, whatever the file size. Malformed input throws a `ReaderError` saying where.
 */
export function readRecords(fileName: string, spec: FileSpec, source: ByteSource): AsyncIterable<SourceRecord> {
  switch (spec.read) {
    case 'json':
      return readJson(fileName, spec, source);
    case 'tsv-with-name-row':
      return readTsv(fileName, spec, source);
    case 'csv':
      return readCsv(fileName, spec, source);
    case 'xml-text-of-children':
      return readXml(fileName, spec, source, 'text-of-children');
    case 'xml-attributes':
      return readXml(fileName, spec, source, 'attributes');
    case 'oneroster-csv':
      return readOneRoster(fileName, spec, source);
  }
}

const BATCH = 512;

/** Records in arrays, for hot loops: the JSON reader batches per chunk, the others per 512 records. */
export async function* readRecordBatches(
  fileName: string,
  spec: FileSpec,
  source: ByteSource,
): AsyncGenerator<SourceRecord[]> {
  if (spec.read === 'json') {
    yield* readJsonBatches(fileName, spec, source);
    return;
  }
  let batch: SourceRecord[] = [];
  for await (const record of readRecords(fileName, spec, source)) {
    batch.push(record);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
