import { Readable, pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { ReaderError } from '../errors.js';
import type { FileSpec, SourceRecord } from '../model/types.js';
import { decodeText, type ByteSource } from './decode.js';
import { toRecord } from './tsv-reader.js';

/**
 * `csv` (ours; Haplo has none): RFC 4180 quoting with embedded separators, quotes and newlines, a header
 * row, `separator` (default ",") and `charset`. Empty cells are left out, as `tsv-with-name-row` does, so
 * the same control file works with either reader.
 */
export async function* readCsv(fileName: string, spec: FileSpec, source: ByteSource): AsyncGenerator<SourceRecord> {
  const parser = parse({
    delimiter: spec.separator ?? ',',
    bom: true,
    relax_column_count: true, // short or long rows are common in exports; extra cells are ignored
    relax_quotes: true, // a quote inside an unquoted cell is kept as text, as spreadsheets write it
    skip_empty_lines: true,
  });
  pipeline(Readable.from(decodeText(source, spec.charset ?? 'utf-8')), parser, () => {
    // Errors surface through the iteration below.
  });
  let header: string[] | undefined;
  try {
    for await (const row of parser as AsyncIterable<string[]>) {
      if (!header) header = row;
      else yield toRecord(header, row);
    }
  } catch (err) {
    if (err instanceof CsvError) {
      const line = typeof err.lines === 'number' ? err.lines : undefined;
      throw new ReaderError(fileName, err.message.replace(/^Invalid [^:]*: /, ''), { line }, { cause: err });
    }
    throw err;
  }
}
