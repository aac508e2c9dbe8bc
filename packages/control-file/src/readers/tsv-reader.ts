import type { FileSpec, SourceRecord } from '../model/types.js';
import { decodeText, stripBom, type ByteSource } from './decode.js';

/**
 * `tsv-with-name-row`, with Haplo's semantics: lines split on runs of CR/LF (so blank lines vanish), cells
 * split on `separator` (default tab, may be several characters), no quoting, empty cells left out.
 * Deliberate difference: Haplo turns the final newline of a file into an empty record `{}`, which the
 * user sync then reports as "No username in record N: {}"; we drop that empty last line instead.
 */
export async function* readTsv(_fileName: string, spec: FileSpec, source: ByteSource): AsyncGenerator<SourceRecord> {
  const separator = spec.separator ?? '\t';
  let header: string[] | undefined;
  let rest = '';
  for await (const chunk of stripBom(decodeText(source, spec.charset ?? 'utf-8'))) {
    const text = rest + chunk;
    const lines = text.split(/[\r\n]+/);
    // The last piece may be an unfinished line (or the first half of a CR/LF pair): keep it for the next chunk.
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') continue; // only possible at the very start of the file
      if (!header) header = line.split(separator);
      else yield toRecord(header, line.split(separator));
    }
  }
  if (rest !== '') {
    if (!header) return;
    yield toRecord(header, rest.split(separator));
  }
}

export function toRecord(header: string[], cells: string[]): SourceRecord {
  const record: SourceRecord = {};
  const n = Math.min(header.length, cells.length);
  for (let i = 0; i < n; i++) {
    const name = header[i];
    if (cells[i] !== '' && name !== '') record[name] = cells[i];
  }
  return record;
}
