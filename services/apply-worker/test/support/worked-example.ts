/** Reference §2.11: the worked example's control file, profile schema, config and data files. */

export const exampleControl = {
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
        { action: 'set-value', destination: 'user', name: 'groups', value: 'hres:group:researchers', multivalue: true },
      ],
      else: [
        { action: 'set-value', destination: 'user', name: 'groups', value: 'hres:group:admin-staff', multivalue: true },
      ],
    },
    { action: 'remove-values', destination: 'profile', name: 'std:attribute:job-title' },
    {
      action: 'for-each',
      source: 'JOBS',
      wrapValues: true,
      instructions: [{ source: 'value', destination: 'profile', name: 'std:attribute:job-title', multivalue: true }],
    },
    { source: 'DEPT', destination: 'profile', name: 'hres:attribute:research-institute', refMapping: 'departments' },
    { source: 'PHONE', destination: 'profile', name: 'std:attribute:telephone', country: 'GB' },
  ],
  mapping: {
    departments: {
      types: ['hres:type:research-institute:department'],
      using: 'behaviour',
      values: { CHEM: 'example:research-institute:chemistry', HIST: 'example:research-institute:history' },
    },
  },
};

export const exampleConfig = {
  autoApply: true,
  maxBlockPercent: 10,
  maxBlockCount: 500,
  managedGroups: [
    { code: 'hres:group:researchers', name: 'Researchers' },
    { code: 'hres:group:admin-staff', name: 'Admin staff' },
  ],
  profileAttributes: [
    { code: 'std:attribute:job-title', label: 'Job title', type: 'text', multivalue: true },
    { code: 'std:attribute:telephone', label: 'Phone', type: 'telephone-number', multivalue: true },
    { code: 'hres:attribute:research-institute', label: 'Research institute', type: 'code', multivalue: false },
  ],
};

export const joe = {
  ID: 'JB1001',
  TITLE: 'Dr',
  FIRST: 'Joe',
  LAST: 'Bloggs',
  EMAIL: 'Joe.Bloggs@Example.ac.uk',
  ROLE: 'ACADEMIC',
  JOBS: ['Lecturer', 'Admissions tutor'],
  DEPT: 'CHEM',
  PHONE: '01632 960123',
};
export const jane = {
  ID: 'js2002',
  FIRST: 'Jane',
  LAST: 'Smith',
  EMAIL: 'jane.smith@example.ac.uk',
  ROLE: 'FINANCE',
  DEPT: 'HIST',
};
const janet = { ID: 'js2002', FIRST: 'Janet', LAST: 'Smith', EMAIL: 'janet@example.ac.uk', ROLE: 'FINANCE' };
const alanIncomplete = { ID: 'ab3003', FIRST: 'Alan', LAST: 'Brown', ROLE: 'RESEARCH', DEPT: 'PHYS' };
const noId = { FIRST: 'No', LAST: 'Identifier', EMAIL: 'x@example.ac.uk' };
export const alan = { ...alanIncomplete, EMAIL: 'alan.brown@example.ac.uk', DEPT: 'CHEM' };

/** Run 1's people.json (records 0 to 4). */
export const run1People = [joe, jane, janet, alanIncomplete, noId];
/** Run 2's people.json: jb1001 unchanged, ab3003 now complete. */
export const run2People = [joe, alan];
