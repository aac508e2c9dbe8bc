// Records per second through a realistic control file (about 12 instructions), reading generated JSON.
// Run: node packages/control-file/dist/bench/transform-bench.js [records]   (target: ≥ 200,000/s, RSS < 300 MB)
// NO_PHONE=1 drops the telephone-number rule, to see its cost. THREADS=n (n ≥ 2) uses createParallelBatch with
// n worker threads (THREADS=auto: os.availableParallelism()); unset or 0 is the sequential batch. With THREADS,
// DIGESTS=0 skips the per-record digests the apply worker needs (recordSha1, desiredStateParts), which the
// sequential batch never computes.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, createParallelBatch, parseControlFile } from '../index.js';

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

// Realistic UK phone numbers, all distinct, in the formats HR systems export; 1 in 500 has an extension,
// which takes libphonenumber-js's own (slow) path.
function phone(i: number): string {
  const a = String(i % 1_000_000).padStart(6, '0');
  switch (i % 4) {
    case 0:
      return `01632 ${a}`;
    case 1:
      return `+44 7700 ${a}`;
    case 2:
      return `+44 (0)20 79${a.slice(0, 2)} ${a.slice(2)}`;
    default:
      return i % 500 === 3 ? `0113 496 ${a.slice(2)} ext. 12` : `0113-496-${a.slice(2)}`;
  }
}

function recordJson(i: number): string {
  return JSON.stringify({
    ID: `U${i}`,
    TITLE: 'Dr',
    FIRST: `First${i}`,
    LAST: 'Last',
    EMAIL: `User${i}@Example.ac.uk`,
    ROLE: i % 3 ? 'ACADEMIC' : 'ADMIN',
    JOBS: ['Lecturer', 'Tutor'],
    DEPT: ['CHEM', 'HIST', 'PHYS'][i % 3],
    PHONE: phone(i),
    START: `20${String(10 + (i % 15))}-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')}`,
    EMPNO: String(100000 + i),
  });
}

/** Writes the data file first (streamed, so memory stays flat), so generating it is not timed. */
async function writeDataFile(path: string): Promise<number> {
  const out = createWriteStream(path);
  for (let i = 0; i < total;) {
    const parts: string[] = i === 0 ? ['[\n'] : [];
    for (let n = 0; n < 1000 && i < total; n++, i++) parts.push((i ? ',\n' : '') + recordJson(i));
    if (i >= total) parts.push('\n]\n');
    if (!out.write(parts.join(''))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return statSync(path).size;
}

const parsed = parseControlFile(JSON.stringify(control));
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const threadsEnv = process.env.THREADS ?? '0';
const parallel = threadsEnv === 'auto' || Number(threadsEnv) > 0;
const batch = parallel
  ? createParallelBatch(parsed.controlFile, {
      digests: process.env.DIGESTS !== '0',
      ...(threadsEnv === 'auto' ? {} : { threads: Number(threadsEnv) }),
    })
  : compile(parsed.controlFile);
const dir = mkdtempSync(join(tmpdir(), 'control-file-bench-'));
try {
  const file = join(dir, 'people.json');
  const bytes = await writeDataFile(file);
  let ok = 0;
  let phones = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for await (const outcomes of batch.recordBatches({ people: () => createReadStream(file) })) {
    for (const outcome of outcomes) {
      if (outcome.status === 'ok') ok++;
      // With digests the profile's canonical JSON is at hand; parsing `desired` would cost the main thread.
      if (outcome.parts) {
        if (outcome.parts.profile.includes('"std:attribute:telephone":["+44')) phones++;
      } else if (outcome.desired?.profile['std:attribute:telephone']?.[0]?.toString().startsWith('+44')) phones++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // CPU time too: on a shared machine wall time swings with other load, CPU time much less. process.cpuUsage
  // covers every thread of the process, so with workers it is the total CPU the transform cost.
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // maxRSS is the kernel's high-water mark for the whole process (KiB), generation included.
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    `${ok} records (${(bytes / 1048576).toFixed(0)} MB, ${phones} phones as E.164, phone rule ${process.env.NO_PHONE ? 'off' : 'on'}, ` +
      `${parallel ? `parallel, THREADS=${threadsEnv}, digests ${process.env.DIGESTS === '0' ? 'off' : 'on'}` : 'sequential'}) ` +
      `in ${seconds.toFixed(2)} s: ${Math.round(ok / seconds)} records/s ` +
      `(CPU ${cpuSeconds.toFixed(2)} s: ${Math.round(ok / cpuSeconds)} records per CPU-second), peak RSS ${peakMb} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
