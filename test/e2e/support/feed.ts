/**
 * The feed of the pipeline test: a control file mapping ID/FIRST/LAST/EMAIL/GROUP, and the users
 * files of the first and second upload, in the shapes an institution's export would produce.
 */

/** Control file: one JSON data file `users`, groups from an array, department as a tag. */
export const CONTROL_FILE = JSON.stringify(
  {
    dataImportControlFileVersion: 0,
    model: 'haplo:user-sync',
    files: { users: { read: 'json' } },
    instructions: [
      { source: 'ID', destination: 'user', name: 'username' },
      { source: 'FIRST', destination: 'user', name: 'nameFirst' },
      { source: 'LAST', destination: 'user', name: 'nameLast' },
      { source: 'EMAIL', destination: 'user', name: 'email' },
      // Groups arrive as an array: Haplo's way is for-each over wrapped values, appending each.
      {
        action: 'for-each',
        source: 'GROUP',
        wrapValues: true,
        instructions: [{ source: 'value', destination: 'user', name: 'groups', multivalue: true }],
      },
      { source: 'DEPT', destination: 'user:tags', name: 'department' },
    ],
  },
  null,
  2,
);

/** The groups the sync manages (RunService config). */
export const MANAGED_GROUPS = [
  { code: 'staff', name: 'Staff' },
  { code: 'students', name: 'Students' },
];

const alice = { ID: 'alice', FIRST: 'Alice', LAST: 'Archer', EMAIL: 'alice@example.org', GROUP: ['staff'], DEPT: 'it' };
const bob = {
  ID: 'bob',
  FIRST: 'Bob',
  LAST: 'Baker',
  EMAIL: 'bob@example.org',
  GROUP: ['staff', 'students'],
  DEPT: 'history',
};
const carol = {
  ID: 'carol',
  FIRST: 'Carol',
  LAST: 'Cooper',
  EMAIL: 'carol@example.org',
  GROUP: ['students'],
  DEPT: 'law',
};
/** No ID: Haplo logs `ERROR: No username in record 3: …` (records count from 0) and skips it. */
const noUsername = { FIRST: 'Nobody', LAST: 'Known', EMAIL: 'nobody@example.org', GROUP: ['staff'] };

/** First upload: alice, bob, carol and one record without a username. */
export const FIRST_USERS = JSON.stringify([alice, bob, carol, noUsername], null, 2);

/** Second upload: carol has left (blocked), bob's last name changed, alice unchanged. */
export const SECOND_USERS = JSON.stringify([alice, { ...bob, LAST: 'Baker-Smith' }], null, 2);

/** Haplo's documented UNIX upload script (reference §1.9), http instead of https. */
export const UPLOAD_SCRIPT = `#!/bin/sh
set -e
curl -X POST -F name=_control -F file=@$DIR/_control.json --user haplo:$KEY http://$SERVER/api/haplo-user-sync/upload-file
curl -X POST -F name=users -F file=@$DIR/users.json --user haplo:$KEY http://$SERVER/api/haplo-user-sync/upload-file
curl -X POST --user haplo:$KEY http://$SERVER/api/haplo-user-sync/start-sync
`;
