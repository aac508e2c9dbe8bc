/**
 * A tripwire for DESIRED_STATE_VERSION: the desired-state digests of these records, under a control file
 * that uses every kind of conversion, are recorded per version. If this fails, the engine's output changed:
 * bump DESIRED_STATE_VERSION (so the apply worker re-transforms records it would otherwise skip as
 * unchanged) and record the new value under the new version.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseControlFile } from '../validation/parse-control-file.js';
import { compile } from './batch.js';
import { DESIRED_STATE_VERSION, desiredStateDigest } from './desired-state.js';

const RECORDED: Record<number, string> = {
  1: '83e11162044f9c82d64a1ee8a08dbbbd04d66ae0461e2ed319f7770ec75efe36',
};

const control = {
  dataImportControlFileVersion: 0,
  model: 'haplo:user-sync',
  files: { people: { read: 'json' } },
  instructions: [
    { source: 'ID', destination: 'user', name: 'username', filters: ['haplo:to-lower-case'] },
    { source: 'TITLE', destination: 'user', name: 'title' },
    { source: 'FIRST', destination: 'user', name: 'nameFirst', filters: ['haplo:to-upper-case'] },
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
    { source: 'START', destination: 'profile', name: 'std:attribute:start-date', dateFormat: 'dd/MM/yyyy' },
  ],
  mapping: { departments: { values: { CHEM: 'chemistry', HIST: 'history' } } },
};

const records = [
  { ID: 'JB1', TITLE: 'Dr', FIRST: ' Joe ', LAST: 'Bloggs', EMAIL: 'Joe@X.org', ROLE: 'ACADEMIC', DEPT: 'CHEM' },
  { ID: 'js2', FIRST: 'Jane', LAST: 'Smith', EMAIL: 'j@x.org', ROLE: 'FINANCE', JOB: ['Clerk', 'Warden'] },
  { ID: 'ab3', FIRST: 'Ünï', LAST: 'Cødé', EMAIL: 'a@x.org', PHONE: '01865 270000', START: '01/09/2020' },
  { ID: 'cd4', FIRST: 'C', LAST: 'D', EMAIL: 'c@x.org', DEPT: 'HIST', PHONE: '+1 212 555 0100', JOB: 'Porter' },
];

describe('DESIRED_STATE_VERSION', () => {
  it('names the engine output these records give', async () => {
    const parsed = parseControlFile(JSON.stringify(control));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const digests: string[] = [];
    for await (const o of compile(parsed.controlFile).records({ people: Readable.from([JSON.stringify(records)]) })) {
      expect(o.status, `record ${o.recordNumber}: ${o.errors.join('; ')}`).toBe('ok');
      digests.push(desiredStateDigest(o.desired!));
    }
    const output = createHash('sha256').update(digests.join('\n')).digest('hex');
    expect(output, 'engine output changed: bump DESIRED_STATE_VERSION').toBe(RECORDED[DESIRED_STATE_VERSION]);
  });
});
