/**
 * Reference §2.11: the worked example's control file and run 1's records (the one copy, in
 * @usersync/control-file), with this worker's profile schema, config and run 2's data file.
 */
import { WORKED_EXAMPLE_CONTROL, WORKED_EXAMPLE_PEOPLE, WORKED_EXAMPLE_RECORDS } from '@usersync/control-file';

export const exampleControl = WORKED_EXAMPLE_CONTROL;

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

const { joe, jane, alanIncomplete } = WORKED_EXAMPLE_RECORDS;
export { joe, jane };
export const alan = { ...alanIncomplete, EMAIL: 'alan.brown@example.ac.uk', DEPT: 'CHEM' };

/** Run 1's people.json (records 0 to 4). */
export const run1People = WORKED_EXAMPLE_PEOPLE;
/** Run 2's people.json: jb1001 unchanged, ab3003 now complete. */
export const run2People = [joe, alan];
