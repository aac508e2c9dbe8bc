import { hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ReaderError } from '../../errors.js';
import { parseControlFile } from '../../validation/parse-control-file.js';
import type { ControlFile } from '../../validation/validate-control.js';
import { compile, type FileSource, type FileSources } from '../../transform/batch.js';
import type { RecordOutcome } from '../../transform/record-outcome.js';
import { desiredStateParts, rawRecordJson } from '../../transform/desired-state.js';
import { createParallelBatch, runSegments, type SegmentPool } from './parallel-batch.js';
import { transformSegment, type SegmentRequest } from './protocol.js';

// The sequential batch is the reference: the parallel batch must give the same outcomes, in the same
// order, and the same reader errors, whatever the files hold and however their bytes arrive.

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}
type Rng = () => number;
const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)];

const READS = ['json', 'json', 'json-object', 'json-single', 'csv', 'tsv-with-name-row', 'xml-text-of-children'];

function controlJson(r: Rng, reads: string[]) {
  const files: Record<string, Record<string, unknown>> = {};
  reads.forEach((read, i) => {
    files[`f${i}`] =
      read === 'json-object'
        ? { read: 'json' }
        : read === 'json-single'
          ? { read: 'json', singleRecord: true }
          : { read };
  });
  const optional = [
    { source: 'TITLE', destination: 'user', name: 'title' },
    { source: 'START', destination: 'profile', name: 'std:attribute:start-date', dateFormat: 'yyyy-MM-dd' },
    { source: 'DEPT', destination: 'profile', name: 'std:attribute:department', refMapping: 'departments' },
    { source: 'PHONE', destination: 'profile', name: 'std:attribute:telephone', multivalue: true },
    { source: 'ID', destination: 'user:tags', name: 'source-id' },
    {
      action: 'if-value-one-of',
      source: 'ROLE',
      values: ['ACADEMIC', 'RESEARCH'],
      then: [{ action: 'set-value', destination: 'user', name: 'groups', value: 'g:research', multivalue: true }],
      else: [{ action: 'set-value', destination: 'user', name: 'groups', value: 'g:staff', multivalue: true }],
    },
    {
      action: 'for-each',
      source: 'JOBS',
      wrapValues: true,
      instructions: [{ source: 'value', destination: 'profile', name: 'std:attribute:job-title', multivalue: true }],
    },
    { action: 'if-exists', source: 'STOP', then: [{ action: 'abort-record', message: 'stopped' }] },
  ];
  return {
    dataImportControlFileVersion: 0,
    model: 'haplo:user-sync',
    files,
    instructions: [
      { source: 'ID', destination: 'user', name: 'username' },
      { source: 'FIRST', destination: 'user', name: 'nameFirst' },
      { source: 'LAST', destination: 'user', name: 'nameLast' },
      { source: 'EMAIL', destination: 'user', name: 'email', filters: ['haplo:to-lower-case'] },
      ...optional.filter(() => r() < 0.7),
    ],
    mapping: { departments: { values: { CHEM: 'dept:chemistry', HIST: 'dept:history' } } },
  };
}

const IDS = ['ann', 'Ann', 'bob', 'BOB', 'cy', 'dee', 'é1', '日本', 'x"q', 'a\\b', 'tab\tid'];
const TEXT = ['', 'Smith', 'Ünïcödé', 'line\nbreak', 'quote "q"', '😀 emoji', 'a,b', '  spaced  ', '<tag>&amp;'];

function randomRecord(r: Rng, stringsOnly: boolean): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  const maybe = (key: string, value: () => unknown, p = 0.85) => {
    if (r() < p) rec[key] = value();
  };
  maybe('ID', () => (r() < 0.1 && !stringsOnly ? Math.floor(r() * 5) : pick(r, IDS) + String(Math.floor(r() * 40))));
  maybe('FIRST', () => pick(r, TEXT));
  maybe('LAST', () => pick(r, TEXT));
  maybe('EMAIL', () => `U${Math.floor(r() * 1000)}@Example.org`);
  maybe('TITLE', () => pick(r, ['Dr', 'Prof', '']), 0.5);
  maybe('START', () => pick(r, ['2020-01-31', '2020-02-31', 'soon', '1999-12-01']), 0.5);
  maybe('DEPT', () => pick(r, ['CHEM', 'HIST', 'PHYS']), 0.5);
  maybe('PHONE', () => pick(r, ['01632 960123', '+44 7700 900123', 'call me', '0113-496-0000 ext. 12']), 0.5);
  maybe('ROLE', () => pick(r, ['ACADEMIC', 'ADMIN', 'RESEARCH']), 0.6);
  maybe('STOP', () => 'yes', 0.05);
  if (!stringsOnly) {
    maybe('JOBS', () => (r() < 0.8 ? ['Lecturer', pick(r, TEXT)] : { a: [1, 2.5, null, true] }), 0.4);
    maybe('__proto__', () => 'not a prototype', 0.03);
  }
  return rec;
}

function fileText(r: Rng, read: string, records: Array<Record<string, unknown>>): string {
  switch (read) {
    case 'json': {
      const sep = () => pick(r, [',', ',\n', ' , ', ',\r\n  ']);
      return `\uFEFF[\n${records.map((x) => JSON.stringify(x, null, r() < 0.2 ? 2 : undefined)).join(sep())}\n]\n`;
    }
    case 'json-object':
      return `{${records.map((x, i) => `"k${i}": ${JSON.stringify(x)}`).join(',\n')}}`;
    case 'json-single':
      return JSON.stringify(records[0] ?? {});
    case 'csv':
    case 'tsv-with-name-row': {
      const sep = read === 'csv' ? ',' : '\t';
      const cols = ['ID', 'FIRST', 'LAST', 'EMAIL', 'TITLE', 'START', 'DEPT', 'PHONE', 'ROLE', 'STOP'];
      const cell = (v: unknown) => {
        const s = v === undefined ? '' : String(v).replace(/[\t\n]/g, ' ');
        return read === 'csv' && /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      };
      return [cols.join(sep), ...records.map((x) => cols.map((c) => cell(x[c])).join(sep))].join('\n') + '\n';
    }
    default: {
      const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      const body = records.map(
        (x) =>
          `<p>${Object.entries(x)
            .map(([k, v]) => `<${k}>${esc(String(v))}</${k}>`)
            .join('')}</p>`,
      );
      return `<?xml version="1.0" encoding="UTF-8"?>\n<people>${body.join('\n')}</people>`;
    }
  }
}

/** Cuts bytes at random places (through multi-byte characters too), so records span chunks. */
function chunked(r: Rng, bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = 1 + Math.floor(r() * (r() < 0.3 ? 8 : 400));
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

interface Case {
  controlFile: ControlFile;
  files: Record<string, Buffer[]>;
}

function randomCase(seed: number): Case {
  const r = rng(seed);
  const reads = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, READS));
  const parsed = parseControlFile(JSON.stringify(controlJson(r, reads)));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const files: Record<string, Buffer[]> = {};
  reads.forEach((read, i) => {
    const stringsOnly = !read.startsWith('json');
    const records = Array.from({ length: Math.floor(r() * 60) }, () => randomRecord(r, stringsOnly));
    let text = fileText(r, read, records);
    if (read === 'json' && r() < 0.15) {
      // Corrupt the file somewhere: the same ReaderError (record, line, column) must come out.
      const at = Math.floor(r() * text.length);
      text = text.slice(0, at) + pick(r, ['}', '"', 'x', ',', ']']) + text.slice(at);
    }
    files[`f${i}`] = chunked(r, Buffer.from(text));
  });
  return { controlFile: parsed.controlFile, files };
}

const sources =
  (c: Case) =>
  (name: string): FileSource | undefined => {
    const chunks = c.files[name];
    return chunks ? () => Readable.from(chunks) : undefined;
  };

interface Run {
  outcomes: RecordOutcome[];
  error?: unknown;
}

async function collect(batches: AsyncIterable<RecordOutcome[]>): Promise<Run> {
  const outcomes: RecordOutcome[] = [];
  try {
    for await (const batch of batches) outcomes.push(...batch);
  } catch (error) {
    return { outcomes, error };
  }
  return { outcomes };
}

const plain = (o: RecordOutcome) => ({
  recordNumber: o.recordNumber,
  fileName: o.fileName,
  record: o.record,
  status: o.status,
  username: o.username,
  desired: o.desired,
  complete: o.complete,
  errors: o.errors,
  notes: o.notes,
});

const errorFacts = (e: unknown) =>
  e instanceof ReaderError
    ? { type: 'ReaderError', message: e.message, fileName: e.fileName, location: e.location }
    : { type: String((e as Error)?.constructor?.name), message: (e as Error)?.message };

/** Parallel output == sequential output; before a reader error, either may stop a few records earlier. */
function expectSame(seq: Run, par: Run, digests: boolean) {
  expect(par.error === undefined).toBe(seq.error === undefined);
  if (seq.error !== undefined) {
    // Both stop at a chunk or segment boundary before the bad record, and those boundaries differ.
    expect(errorFacts(par.error)).toEqual(errorFacts(seq.error));
  } else expect(par.outcomes.length).toBe(seq.outcomes.length);
  par.outcomes.slice(0, seq.outcomes.length).forEach((p, i) => {
    const s = seq.outcomes[i];
    expect(plain(p)).toEqual(plain(s));
    expect(p.recordJson).toBe(rawRecordJson(s.record));
    if (digests && s.desired) {
      expect(p.parts).toEqual(desiredStateParts(s.desired));
      expect(p.fields).toEqual({
        nameFirst: s.desired.nameFirst,
        nameLast: s.desired.nameLast,
        email: s.desired.email,
        ...(s.desired.title === undefined ? {} : { title: s.desired.title }),
      });
    }
    if (digests && (s.status === 'ok' || s.status === 'incomplete')) {
      expect(p.recordSha1).toBe(hash('sha1', rawRecordJson(s.record), 'hex'));
    }
  });
}

/** Transforms on this thread, but through structured clones, as messages to workers are. */
function inlinePool(c: Case, digests: boolean): SegmentPool {
  const transformer = compile(c.controlFile).transformer;
  return {
    run: (request: SegmentRequest) =>
      Promise.resolve(structuredClone(transformSegment(transformer, structuredClone(request), digests))),
    close: () => Promise.resolve(),
  };
}

describe('createParallelBatch', () => {
  it('gives the sequential outcomes and errors on 400 random runs (segment logic, in-process)', async () => {
    let errors = 0;
    let records = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const c = randomCase(seed);
      const digests = seed % 2 === 0;
      const seq = await collect(compile(c.controlFile).recordBatches(sources(c)));
      const options = { threads: 2, digests, segmentChars: 1 + (seed % 7) * 150 };
      const transformer = compile(c.controlFile).transformer;
      const par = await collect(runSegments(c.controlFile, transformer, options, sources(c), inlinePool(c, digests)));
      expectSame(seq, par, digests);
      if (seq.error) errors++;
      records += seq.outcomes.length;
    }
    // The generator must exercise both paths.
    expect(errors).toBeGreaterThan(5);
    expect(records).toBeGreaterThan(10_000);
  });

  it('gives the sequential outcomes on worker threads, with and without digests', async () => {
    for (const seed of [7, 8, 21, 22, 33]) {
      const c = randomCase(seed);
      const digests = seed % 2 === 0;
      const seq = await collect(compile(c.controlFile).recordBatches(sources(c)));
      const batch = createParallelBatch(c.controlFile, { threads: 2, digests, segmentChars: 300 });
      expectSame(seq, await collect(batch.recordBatches(sources(c))), digests);
      const flat: RecordOutcome[] = [];
      let error: unknown;
      try {
        for await (const o of batch.records(sources(c))) flat.push(o);
      } catch (err) {
        error = err;
      }
      expect(errorFacts(error)).toEqual(errorFacts(seq.error));
      expect(flat.map(plain)).toEqual(seq.outcomes.slice(0, flat.length).map(plain));
    }
  });

  it('reports a corrupt JSON file as the sequential reader does, from worker threads', async () => {
    const parsed = parseControlFile(JSON.stringify(controlJson(rng(1), ['json'])));
    if (!parsed.ok) throw new Error('bad control file');
    const good = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({ ID: `u${i}`, FIRST: 'a', LAST: 'b', EMAIL: 'e' }),
    );
    const text = `[\n${good.slice(0, 400).join(',\n')},\n{"ID": "bad" "x"},\n${good.slice(400).join(',\n')}\n]`;
    const c: Case = { controlFile: parsed.controlFile, files: { f0: chunked(rng(5), Buffer.from(text)) } };
    const seq = await collect(compile(c.controlFile).recordBatches(sources(c)));
    const par = await collect(createParallelBatch(c.controlFile, { segmentChars: 2000 }).recordBatches(sources(c)));
    expect(seq.error).toBeInstanceOf(ReaderError);
    expect((seq.error as ReaderError).location).toMatchObject({ line: 402, recordNumber: 400 });
    expectSame(seq, par, true);
  });

  it('refuses a control file without a username rule before starting threads', () => {
    const json = controlJson(rng(3), ['json']);
    json.instructions = json.instructions.slice(1);
    const parsed = parseControlFile(JSON.stringify(json));
    if (!parsed.ok) throw new Error('bad control file');
    expect(() => createParallelBatch(parsed.controlFile)).toThrow(/username/);
  });

  it('reports a missing file in order, after the records of the files before it', async () => {
    const c = randomCase(11);
    const names = c.controlFile.fileNames;
    const without: FileSources = (name) => (name === names[names.length - 1] ? undefined : sources(c)(name));
    const seq = await collect(compile(c.controlFile).recordBatches(without));
    const par = await collect(createParallelBatch(c.controlFile, { segmentChars: 500 }).recordBatches(without));
    expect(errorFacts(par.error)).toEqual(errorFacts(seq.error));
    expect(par.outcomes.map(plain)).toEqual(seq.outcomes.slice(0, par.outcomes.length).map(plain));
  });
});
