/**
 * A realistic feed for the bench: a JSON array of HR records and a 12-instruction control file
 * (names, lowercased email, role → managed group, department via a mapping, tags, job title,
 * phone, employee id, start date). Records are deterministic in (n, version), so a re-sync can
 * change exactly the chosen users.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const benchControl = {
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
      then: [{ action: 'set-value', destination: 'user', name: 'groups', value: 'researchers', multivalue: true }],
      else: [{ action: 'set-value', destination: 'user', name: 'groups', value: 'staff', multivalue: true }],
    },
    { source: 'DEPT', destination: 'user:tags', name: 'department' },
    { source: 'DEPT', destination: 'profile', name: 'std:attribute:department', refMapping: 'departments' },
    { source: 'JOB', destination: 'profile', name: 'std:attribute:job-title', multivalue: true },
    { source: 'PHONE', destination: 'profile', name: 'std:attribute:telephone', country: 'GB', multivalue: true },
    { source: 'EMPNO', destination: 'profile', name: 'std:attribute:employee-id' },
    { source: 'START', destination: 'profile', name: 'std:attribute:start-date', dateFormat: 'yyyy-MM-dd' },
  ],
  mapping: {
    departments: { values: { CHEM: 'chemistry', HIST: 'history', PHYS: 'physics', MATH: 'mathematics', LAW: 'law' } },
  },
};

export const benchConfig = {
  autoApply: true,
  maxBlockPercent: 10,
  maxBlockCount: 500_000,
  managedGroups: [
    { code: 'researchers', name: 'Researchers' },
    { code: 'staff', name: 'Staff' },
  ],
};

const FIRST = ['Joe', 'Jane', 'Alan', 'Maria', 'Wei', 'Fatima', 'Olu', 'Sven', 'Priya', 'Tom', 'Ana', 'Kenji'];
const LAST = ['Bloggs', 'Smith', 'Brown', 'Garcia', 'Chen', 'Khan', 'Okafor', 'Larsen', 'Patel', 'Jones'];
const ROLES = ['ACADEMIC', 'RESEARCH', 'FINANCE', 'ESTATES', 'LIBRARY'];
const DEPTS = ['CHEM', 'HIST', 'PHYS', 'MATH', 'LAW'];
const JOBS = ['Lecturer', 'Professor', 'Administrator', 'Technician', 'Librarian', 'Research fellow'];

/** Record n; `version` > 0 changes the job title (a real change to the desired state). */
export function benchRecord(n: number, version = 0): Record<string, string> {
  const first = FIRST[n % FIRST.length]!;
  const last = LAST[(n * 7) % LAST.length]!;
  return {
    ID: `U${String(n).padStart(7, '0')}`,
    TITLE: n % 3 === 0 ? 'Dr' : 'Ms',
    FIRST: first,
    LAST: last,
    EMAIL: `${first}.${last}.${n}@Example.ac.uk`,
    ROLE: ROLES[n % ROLES.length]!,
    DEPT: DEPTS[(n * 3) % DEPTS.length]!,
    JOB: version === 0 ? JOBS[n % JOBS.length]! : `${JOBS[n % JOBS.length]!} (v${version})`,
    PHONE: `01632 ${String(960000 + (n % 1000)).padStart(6, '0')}`,
    EMPNO: `E${n}`,
    START: `20${String(10 + (n % 15))}-0${1 + (n % 9)}-1${n % 10}`,
  };
}

/** Writes `users` records as a JSON array to `path`; `changed(n)` gives a record's version. */
export async function writeFeed(path: string, users: number, changed: (n: number) => number = () => 0): Promise<void> {
  const out = createWriteStream(path);
  out.write('[\n');
  for (let n = 0; n < users; n++) {
    const line = `${JSON.stringify(benchRecord(n, changed(n)))}${n < users - 1 ? ',' : ''}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end(']\n');
  await once(out, 'finish');
}
