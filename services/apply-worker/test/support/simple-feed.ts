/** A small control file and records for behaviour tests: ID, FIRST, LAST, EMAIL, GROUP. */
export const simpleControl = {
  dataImportControlFileVersion: 0,
  model: 'haplo:user-sync',
  files: { users: { read: 'json' } },
  instructions: [
    { source: 'ID', destination: 'user', name: 'username' },
    { source: 'FIRST', destination: 'user', name: 'nameFirst' },
    { source: 'LAST', destination: 'user', name: 'nameLast' },
    { source: 'EMAIL', destination: 'user', name: 'email' },
    { source: 'GROUP', destination: 'user', name: 'groups', multivalue: true },
    { source: 'DEPT', destination: 'user:tags', name: 'department' },
  ],
};

export const simpleConfig = {
  maxBlockPercent: 10,
  maxBlockCount: 500,
  managedGroups: [
    { code: 'staff', name: 'Staff' },
    { code: 'students', name: 'Students' },
  ],
};

/** A record for user `u<n>`. */
export function person(n: number, over: Record<string, unknown> = {}) {
  return {
    ID: `u${n}`,
    FIRST: `First${n}`,
    LAST: `Last${n}`,
    EMAIL: `u${n}@example.org`,
    GROUP: 'staff',
    DEPT: 'd1',
    ...over,
  };
}

/** Records u0 … u(count-1). */
export const people = (count: number, over: (n: number) => Record<string, unknown> = () => ({})) =>
  Array.from({ length: count }, (_, n) => person(n, over(n)));
