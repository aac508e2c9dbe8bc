import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { compile, parseControlFile, validateControl } from '@usersync/control-file';
import { normalizeResource, parseBulkUpload, USER_RESOURCE, type ScimResource } from '@usersync/scim';
import { SCIM_CONTROL_BYTES, SCIM_CONTROL_FILE, chooseEmail, scimGroupCode, snapshotRecord } from './scim-snapshot.js';

const user = (resource: ScimResource, userName = 'pat@corp.example') => ({
  id: '00000000-0000-4000-8000-000000000001',
  userName,
  externalId: null,
  resource,
});

describe('the SCIM snapshot', () => {
  it('chooses the primary address, else the work one, else the first, else a userName that is one', () => {
    const emails: ScimResource[] = [
      { value: 'a@home.example', type: 'home' },
      { value: 'b@work.example', type: 'Work' },
      { value: 'c@x.example', primary: true },
    ];
    expect(chooseEmail({ emails }, 'pat')).toBe('c@x.example');
    expect(chooseEmail({ emails: emails.slice(0, 2) }, 'pat')).toBe('b@work.example');
    expect(chooseEmail({ emails: emails.slice(0, 1) }, 'pat')).toBe('a@home.example');
    expect(chooseEmail({ emails: [{ value: '  ' }] }, 'pat@corp.example')).toBe('pat@corp.example');
    expect(chooseEmail({}, 'pat')).toBeUndefined();
  });

  it('fills the names the directory requires from name, then displayName, then userName', () => {
    expect(snapshotRecord(user({ name: { givenName: 'Pat', familyName: 'Doe' } }), [])).toMatchObject({
      nameFirst: 'Pat',
      nameLast: 'Doe',
    });
    expect(snapshotRecord(user({ displayName: 'Mary Ann Smith' }), [])).toMatchObject({
      nameFirst: 'Mary Ann',
      nameLast: 'Smith',
    });
    expect(snapshotRecord(user({ displayName: 'Cher' }), [])).toMatchObject({
      nameFirst: 'Cher',
      nameLast: 'pat@corp.example',
    });
    expect(snapshotRecord(user({}, 'x1'), [])).toEqual({
      userName: 'x1',
      nameFirst: 'x1',
      nameLast: 'x1',
      groups: [],
      scimId: '00000000-0000-4000-8000-000000000001',
      resource: {},
    });
  });

  it('names groups by id, sorted, so a rename keeps every membership', () => {
    const rec = snapshotRecord(user({}), ['b', 'a']);
    expect(rec.groups).toEqual([scimGroupCode('a'), scimGroupCode('b')]);
    expect(scimGroupCode('a')).toBe('scim:a');
  });

  it('ships a control file that validates, as its stored bytes say', () => {
    expect(JSON.parse(SCIM_CONTROL_BYTES.toString())).toEqual(SCIM_CONTROL_FILE);
    const result = validateControl(JSON.parse(SCIM_CONTROL_BYTES.toString()));
    expect(result.problems).toEqual([]);
    expect(result.controlFile?.hasUsernameRule).toBe(true);
  });
});

// The worked example of packages/control-file/README.md: Microsoft's bulk request sample, stored as the gateway
// stores it and snapshotted as the batcher does, mapped by the sample SCIM source control file.
describe('the Entra samples in docs/samples/entra', () => {
  const sample = (name: string) =>
    readFileSync(new URL(`../../../../docs/samples/entra/${name}`, import.meta.url), 'utf8');

  it('maps bjensen with the extension attributes the sample control file adds to the built-in mapping', async () => {
    const [op] = parseBulkUpload(JSON.parse(sample('bulk-request.json'))).operations;
    const resource = normalizeResource(USER_RESOURCE, op!.data);
    const record = snapshotRecord(
      { id: 'bjensen-id', userName: resource.userName as string, externalId: resource.externalId as string, resource },
      [],
    );
    const parsed = parseControlFile(sample('scim-control-file.json'));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    // It is the built-in mapping and more: every built-in instruction, in order, then the `within resource`.
    expect(parsed.controlFile.json.instructions).toEqual([
      ...SCIM_CONTROL_FILE.instructions,
      expect.objectContaining({ action: 'within', source: 'resource' }),
    ]);
    const outcomes = [];
    for await (const o of compile(parsed.controlFile).records({ users: Readable.from([JSON.stringify([record])]) }))
      outcomes.push(o);
    expect(outcomes.map((o) => [o.status, o.errors])).toEqual([['ok', []]]);
    expect(outcomes[0]!.desired).toMatchObject({
      username: 'bjensen@contoso.com',
      nameFirst: 'Barbara',
      nameLast: 'Jensen',
      email: 'bjensen@contoso.com',
      tags: {
        scimId: 'bjensen-id',
        externalId: '701984',
        employeeNumber: '701984',
        department: 'Tour Operations',
        workerId: '701984',
      },
    });
  });
});
