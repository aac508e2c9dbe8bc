import { describe, expect, it } from 'vitest';
import { ReaderError } from '../../errors.js';
import {
  BULK_BUNDLE,
  DELTA_BUNDLE,
  ORGS_HEADER,
  ROLES_HEADER,
  USERS_HEADER,
  manifest,
  zipBundle,
  type BundleFiles,
} from '../../fixtures/oneroster.fixture.js';
import { readRecords } from '../read-records.js';
import { validateOneRosterBundle } from './oneroster-bundle.js';

const source = async function* (bytes: Buffer) {
  for (let i = 0; i < bytes.length; i += 97) yield bytes.subarray(i, i + 97); // small chunks: no whole-file reads
};
const problemsOf = async (files: BundleFiles | Record<string, Buffer>) =>
  (await validateOneRosterBundle(source(await zipBundle(files)))).problems;
const read = async (files: BundleFiles) => {
  const out = [];
  for await (const r of readRecords('roster', { read: 'oneroster-csv' }, source(await zipBundle(files)))) out.push(r);
  return out;
};

describe('the oneroster-csv reader', () => {
  it('yields one record per user, with roles, orgs and the primary role and org; never the password', async () => {
    const records = await read(BULK_BUNDLE);
    expect(records.map((r) => r.username)).toEqual(['ajones', 'bsmith', 'cli', 'mrsgreen']);
    expect(records[0]).toEqual({
      sourcedId: 'u1',
      enabledUser: 'true',
      username: 'ajones',
      userIds: '{SIS:u1}',
      givenName: 'Amy',
      familyName: 'Jones',
      identifier: 'U1',
      email: 'ajones@school.example',
      primaryOrgSourcedId: 's1',
      processing: 'bulk',
      roles: [
        {
          role: 'student',
          roleType: 'primary',
          orgSourcedId: 's1',
          beginDate: '2026-09-01',
          orgName: 'North School',
          orgType: 'school',
          orgIdentifier: 'NS',
        },
      ],
      primaryRole: 'student',
      orgs: ['North School'],
      primaryOrg: { sourcedId: 's1', name: 'North School', type: 'school', identifier: 'NS' },
    });
    expect(records[3]).toMatchObject({ primaryRole: 'teacher', orgs: ['North School', 'South School'] });
  });

  it('finds the files inside a folder of the zip', async () => {
    const nested = Object.fromEntries(Object.entries(BULK_BUNDLE).map(([n, c]) => [`export-2026/${n}`, c]));
    expect((await read(nested)).length).toBe(4);
  });

  it('validates a delta bundle, and refuses to read one in a run (absence must never mean leaver there)', async () => {
    expect(await problemsOf(DELTA_BUNDLE)).toEqual([]);
    await expect(read(DELTA_BUNDLE)).rejects.toThrow(/users\.csv is a delta file/);
  });
});

describe('bundle validation: every problem, with its file and line', () => {
  const withFile = (name: string, content: string) => ({ ...BULK_BUNDLE, [name]: content });

  it('checks the manifest', async () => {
    const { 'manifest.csv': _m, ...noManifest } = BULK_BUNDLE;
    expect(await problemsOf(noManifest)).toEqual([
      'manifest.csv: the bundle has no manifest (OneRoster bundles must contain manifest.csv)',
    ]);
    expect(
      await problemsOf(withFile('manifest.csv', manifest({ users: 'bulk', roles: 'sometimes' }).replace('1.2', '1.1'))),
    ).toEqual([
      'manifest.csv: oneroster.version must be 1.2 (this reader reads OneRoster 1.2 CSV), not "1.1"',
      'manifest.csv line 5: file.roles must be bulk, delta or absent, not "sometimes"',
    ]);
    expect(
      await problemsOf(
        withFile('manifest.csv', manifest({ users: 'bulk', roles: 'bulk', orgs: 'bulk', enrollments: 'bulk' })),
      ),
    ).toEqual(['manifest.csv line 7: file.enrollments is bulk but enrollments.csv is not in the bundle']);
    expect(await problemsOf(withFile('manifest.csv', manifest({ users: 'absent' })))).toContain(
      'manifest.csv: file.users must be bulk or delta (usersync reads users from the bundle)',
    );
  });

  it('checks required columns and cells', async () => {
    expect(
      await problemsOf(withFile('users.csv', USERS_HEADER.replace(',givenName', '').replace(',email', ''))),
    ).toEqual(['users.csv line 1: missing columns givenName, email']);
    const users = [
      USERS_HEADER,
      'u1,,,true,,,Amy,Jones,,,,,,,,,,,,,,s1,',
      'u2,,,yes,bsmith,,,Smith,,,,,,,,,,,,,,s1,',
    ].join('\n');
    expect(await problemsOf(withFile('users.csv', users))).toEqual([
      'users.csv line 2: username is required',
      'users.csv line 3: enabledUser must be true or false, not "yes"',
      'users.csv line 3: givenName is required',
      'roles.csv line 2: userSourcedId "u1" is not a user in users.csv',
      'roles.csv line 3: userSourcedId "u2" is not a user in users.csv',
      'roles.csv line 4: userSourcedId "u3" is not a user in users.csv',
      'roles.csv line 5: userSourcedId "t1" is not a user in users.csv',
      'roles.csv line 6: userSourcedId "t1" is not a user in users.csv',
    ]);
    const delta = { ...DELTA_BUNDLE, 'users.csv': [USERS_HEADER, 'u9,,,true,x,,X,Y,,,,,,,,,,,,,,,'].join('\n') };
    expect(await problemsOf(delta)).toEqual([
      'users.csv line 2: status is required in a delta file',
      'users.csv line 2: dateLastModified is required in a delta file',
    ]);
  });

  it('checks enumerations, dates and duplicate sourcedIds', async () => {
    const roles = [
      ROLES_HEADER,
      'r1,,,u1,main,student,2026-09-01,,s1,',
      'r2,,,u2,primary,wizard,01/09/2026,,s1,',
      'r2,,,u3,primary,student,,,s2,',
    ].join('\n');
    expect(await problemsOf(withFile('roles.csv', roles))).toEqual([
      'roles.csv line 2: roleType must be one of primary, secondary, not "main"',
      'roles.csv line 3: role must be one of aide, counselor, districtAdministrator, guardian, parent, principal, proctor, relative, siteAdministrator, student, systemAdministrator, teacher, not "wizard"',
      'roles.csv line 3: beginDate must be a date (YYYY-MM-DD), not "01/09/2026"',
      'roles.csv line 4: sourcedId "r2" is used by an earlier row',
    ]);
    const orgs = [
      ORGS_HEADER,
      'd1,,yesterday,Example District,district,,',
      's1,,,North School,campus,,d1',
      's2,,,South School,school,,d9',
    ].join('\n');
    expect(await problemsOf(withFile('orgs.csv', orgs))).toEqual([
      'orgs.csv line 2: dateLastModified must be an ISO 8601 date-time (2026-09-01T08:00:00.000Z), not "yesterday"',
      'orgs.csv line 3: type must be one of department, school, district, local, state, national, not "campus"',
      'orgs.csv line 4: parentSourcedId "d9" is not an org in orgs.csv',
      'users.csv line 2: primaryOrgSourcedId "s1" is not an org in orgs.csv',
      'users.csv line 3: primaryOrgSourcedId "s1" is not an org in orgs.csv',
      'users.csv line 5: primaryOrgSourcedId "s1" is not an org in orgs.csv',
      'roles.csv line 2: orgSourcedId "s1" is not an org in orgs.csv',
      'roles.csv line 3: orgSourcedId "s1" is not an org in orgs.csv',
      'roles.csv line 5: orgSourcedId "s1" is not an org in orgs.csv',
    ]);
  });

  it('checks the encoding and the archive itself', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(`${USERS_HEADER}\nu1,,,true,ajones,,Am`),
      Buffer.from([0xe9]),
      Buffer.from(',Jones,,,,,,,,,,,,,,s1,\n'),
    ]);
    expect(await problemsOf({ ...BULK_BUNDLE, 'users.csv': latin1 })).toEqual([
      'users.csv line 2: the file is not valid UTF-8 (OneRoster CSV files must be UTF-8)',
    ]);
    expect((await validateOneRosterBundle(source(Buffer.from('PK not really a zip')))).problems[0]).toMatch(
      /^not a zip archive/,
    );
    await expect(async () => {
      for await (const _ of readRecords('roster', { read: 'oneroster-csv' }, source(Buffer.from('plain text')))) void _;
    }).rejects.toThrow(ReaderError);
  });
});
