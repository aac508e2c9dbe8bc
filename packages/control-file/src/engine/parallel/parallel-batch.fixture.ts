// Random runs for parallel-batch.test.ts: control files, records and files of every reader, cut into chunks.
import { parseControlFile } from '../../validation/parse-control-file.js';
import type { ControlFile } from '../../validation/validate-control.js';

export function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}
export type Rng = () => number;
export const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)];

export const READS = ['json', 'json', 'json-object', 'json-single', 'csv', 'tsv-with-name-row', 'xml-text-of-children'];

export function controlJson(r: Rng, reads: string[]) {
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

export const IDS = ['ann', 'Ann', 'bob', 'BOB', 'cy', 'dee', 'é1', '日本', 'x"q', 'a\\b', 'tab\tid'];
export const TEXT = ['', 'Smith', 'Ünïcödé', 'line\nbreak', 'quote "q"', '😀 emoji', 'a,b', '  spaced  ', '<tag>&amp;'];

export function randomRecord(r: Rng, stringsOnly: boolean): Record<string, unknown> {
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

export function fileText(r: Rng, read: string, records: Array<Record<string, unknown>>): string {
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
export function chunked(r: Rng, bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = 1 + Math.floor(r() * (r() < 0.3 ? 8 : 400));
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

export interface Case {
  controlFile: ControlFile;
  files: Record<string, Buffer[]>;
}

export function randomCase(seed: number): Case {
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
