import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FileSpec } from '../model/types.js';
import { readRecords } from './read-records.js';

const TARGET_BYTES = 50 * 1024 * 1024;
const MAX_RSS_GROWTH = 100 * 1024 * 1024;

/** Generates a ~50 MB file on the fly, so neither the test nor the reader ever holds it whole. */
function generated(head: string, row: (i: number) => string, tail: string): { stream: Readable; rows: () => number } {
  let i = 0;
  let bytes = 0;
  let done = false;
  const stream = new Readable({
    read() {
      if (done) return void this.push(null);
      if (i === 0) this.push(head);
      const parts: string[] = [];
      for (let n = 0; n < 500; n++) parts.push(row(i++));
      const chunk = parts.join('');
      bytes += chunk.length;
      if (bytes >= TARGET_BYTES) {
        done = true;
        this.push(chunk + tail);
      } else {
        this.push(chunk);
      }
    },
  });
  return { stream, rows: () => i };
}

async function measure(spec: FileSpec, source: ReturnType<typeof generated>) {
  const before = process.memoryUsage().rss;
  let peak = before;
  let count = 0;
  for await (const record of readRecords('big', spec, source.stream)) {
    if ((record as { ID?: string }).ID === undefined) throw new Error('record without ID');
    if (++count % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  return { count, growth: peak - before };
}

const name = (i: number) => `user${i.toString(36).padStart(6, '0')}`;

describe('readers stream with bounded memory', () => {
  it('json: a ~50 MB array', async () => {
    const src = generated(
      '[',
      (i) =>
        `${i ? ',' : ''}\n{"ID":"${name(i)}","FIRST":"First ${i}","LAST":"Last","EMAIL":"${name(i)}@example.ac.uk","JOBS":["Lecturer","Tutor"],"DEPT":"CHEM"}`,
      '\n]\n',
    );
    const { count, growth } = await measure({ read: 'json' }, src);
    expect(count).toBe(src.rows());
    expect(count).toBeGreaterThan(300_000);
    expect(growth).toBeLessThan(MAX_RSS_GROWTH);
  });

  it('csv: a ~50 MB file with quoted cells', async () => {
    const src = generated(
      'ID,FIRST,LAST,EMAIL,NOTE\n',
      (i) => `${name(i)},First ${i},Last,${name(i)}@example.ac.uk,"note, with ""quotes"" and a comma"\n`,
      '',
    );
    const { count, growth } = await measure({ read: 'csv' }, src);
    expect(count).toBe(src.rows());
    expect(growth).toBeLessThan(MAX_RSS_GROWTH);
  });

  it('tsv-with-name-row: a ~50 MB file', async () => {
    const src = generated(
      'ID\tFIRST\tLAST\tEMAIL\n',
      (i) => `${name(i)}\tFirst ${i}\tLast\t${name(i)}@example.ac.uk\n`,
      '',
    );
    const { count, growth } = await measure({ read: 'tsv-with-name-row' }, src);
    expect(count).toBe(src.rows());
    expect(growth).toBeLessThan(MAX_RSS_GROWTH);
  });

  it('xml-attributes: a ~50 MB file', async () => {
    const src = generated(
      '<users>',
      (i) => `<user ID="${name(i)}" FIRST="First ${i}" LAST="Last" EMAIL="${name(i)}@example.ac.uk"/>\n`,
      '</users>',
    );
    const { count, growth } = await measure({ read: 'xml-attributes' }, src);
    expect(count).toBe(src.rows());
    expect(growth).toBeLessThan(MAX_RSS_GROWTH);
  });
});
