// Records per second through a realistic control file (about 12 instructions), reading generated JSON.
// Run: node packages/control-file/dist/bench/transform-bench.js [records]   (target: ≥ 200,000/s, RSS < 300 MB)
import { Readable } from 'node:stream';
import { compile, parseControlFile } from '../index.js';

const total = Number(process.argv[2] ?? 1_000_000);
const control = {
  dataImportControlFileVersion: 0,
  model: 'haplo:user-sync',
  files: { people: { read: 'json' } },
  instructions: [
    { source: 'ID', destination: 'user', name: 'username' },
    { source: 'TITLE', destination: 'user', name: 'title' },
    { source: 'FIRST', destination: 'user', name: 'nameFirst' },
    { source: 'LAST', destination: 'user', name: 'nameLast' },
    { source: 'EMAIL', destination: 'user', name: 'email', filters: ['haplo:to-lower-case'] },
    {
      action: 'if-value-one-of',
      source: 'ROLE',
      values: ['ACADEMIC', 'RESEARCH'],
      then: [
        { action: 'set-value', destination: 'user', name: 'groups', value: 'app:group:researchers', multivalue: true },
      ],
      else: [{ action: 'set-value', destination: 'user', name: 'groups', value: 'app:group:staff', multivalue: true }],
    },
    {
      action: 'for-each',
      source: 'JOBS',
      wrapValues: true,
      instructions: [{ source: 'value', destination: 'profile', name: 'std:attribute:job-title', multivalue: true }],
    },
    { source: 'DEPT', destination: 'profile', name: 'std:attribute:department', refMapping: 'departments' },
    ...(process.env.NO_PHONE
      ? []
      : [{ source: 'PHONE', destination: 'profile', name: 'std:attribute:telephone', multivalue: true }]),
    { source: 'START', destination: 'profile', name: 'std:attribute:start-date', dateFormat: 'yyyy-MM-dd' },
    { source: 'EMPNO', destination: 'profile', name: 'std:attribute:employee-id' },
    { source: 'ID', destination: 'user:tags', name: 'source-id' },
  ],
  mapping: { departments: { values: { CHEM: 'dept:chemistry', HIST: 'dept:history', PHYS: 'dept:physics' } } },
};

function feed(): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i >= total) return void this.push(null);
      const parts: string[] = i === 0 ? ['['] : [];
      for (let n = 0; n < 1000 && i < total; n++, i++) {
        const r = {
          ID: `U${i}`,
          TITLE: 'Dr',
          FIRST: `First${i}`,
          LAST: 'Last',
          EMAIL: `User${i}@Example.ac.uk`,
          ROLE: i % 3 ? 'ACADEMIC' : 'ADMIN',
          JOBS: ['Lecturer', 'Tutor'],
          DEPT: ['CHEM', 'HIST', 'PHYS'][i % 3],
          PHONE: `01632 96${String(i % 10000).padStart(4, '0')}`,
          START: '2020-09-01',
          EMPNO: String(100000 + i),
        };
        parts.push((i ? ',' : '') + JSON.stringify(r));
      }
      if (i >= total) parts.push(']');
      this.push(parts.join('\n'));
    },
  });
}

const parsed = parseControlFile(JSON.stringify(control));
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const batch = compile(parsed.controlFile);
let peak = 0;
let ok = 0;
const start = process.hrtime.bigint();
for await (const outcomes of batch.recordBatches({ people: feed() })) {
  for (const outcome of outcomes) if (outcome.status === 'ok') ok++;
  peak = Math.max(peak, process.memoryUsage().rss);
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
peak = Math.max(peak, process.memoryUsage().rss);
console.log(
  `${ok} records in ${seconds.toFixed(2)} s: ${Math.round(ok / seconds)} records/s, peak RSS ${Math.round(peak / 1048576)} MB`,
);
