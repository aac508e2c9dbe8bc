import { describe, expect, it } from 'vitest';
import { ScimError } from './errors.js';
import { normalizeResource } from './normalize.js';
import { GROUP_RESOURCE, USER_RESOURCE } from './resource-types.js';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from './schemas.js';

const failure = (body: unknown) => {
  try {
    normalizeResource(USER_RESOURCE, body);
  } catch (err) {
    if (err instanceof ScimError) return `${err.status} ${err.scimType} ${err.detail}`;
    throw err;
  }
  return 'no error';
};

describe('normalizeResource', () => {
  it('spells attributes as the schema does, coerces types and drops what the server owns', () => {
    const r = normalizeResource(USER_RESOURCE, {
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: 'client-chosen',
      meta: { version: 'W/"9"' },
      USERNAME: 'ryan@contoso.com',
      Active: 'True',
      name: { GivenName: 'Ryan', familyname: 'Ng' },
      emails: [{ Value: 'ryan@contoso.com', Type: 'work', Primary: 'true' }],
      password: 'secret',
      groups: [{ value: 'g1' }],
      externalId: 12345,
      [ENTERPRISE_USER_SCHEMA.toUpperCase()]: { EmployeeNumber: 701984, manager: { value: 'm1' } },
      unknownThing: 'ignored',
    });
    expect(r).toEqual({
      externalId: '12345',
      userName: 'ryan@contoso.com',
      name: { givenName: 'Ryan', familyName: 'Ng' },
      active: true,
      emails: [{ value: 'ryan@contoso.com', type: 'work', primary: true }],
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '701984', manager: { value: 'm1' } },
    });
  });

  it('keeps the scalar values of extensions it does not describe (Entra carries CSV columns so)', () => {
    const csv = 'urn:ietf:params:scim:schemas:extension:csv:1.0:User';
    const r = normalizeResource(USER_RESOURCE, {
      userName: 'a',
      [csv]: { IsTerminated: 'False', Grade: 7, nested: { x: 1 } },
    });
    expect(r[csv]).toEqual({ IsTerminated: 'False', Grade: 7 });
  });

  it('treats null and empty strings as unassigned', () => {
    expect(normalizeResource(USER_RESOURCE, { userName: 'a', title: null, nickName: '', emails: [] })).toEqual({
      userName: 'a',
    });
  });

  it('refuses what it cannot read, with the JSON path', () => {
    expect(failure('text')).toMatch(/^400 invalidSyntax/);
    expect(failure({ userName: 'a', schemas: 'x' })).toMatch(/^400 invalidSyntax "schemas"/);
    expect(failure({ name: { givenName: 'x' } })).toMatch(/^400 invalidValue userName: userName is required/);
    expect(failure({ userName: 'a', active: 'perhaps' })).toMatch(/^400 invalidValue active: expected a boolean/);
    expect(failure({ userName: 'a', emails: [{ value: 'a@b' }, { value: 7, primary: 'yes' }] })).toMatch(
      /^400 invalidValue emails\[1\]\.primary: expected a boolean/,
    );
    expect(failure({ userName: 'a', name: 'Ann' })).toMatch(/^400 invalidValue name: expected an object/);
    expect(
      failure({
        userName: 'a',
        emails: [
          { value: 'x', primary: true },
          { value: 'y', primary: true },
        ],
      }),
    ).toMatch(/at most one value may have "primary": true/);
    expect(failure({ userName: ['a'] })).toMatch(/^400 invalidValue userName: expected a string/);
  });

  it('requires a displayName for a group and keeps its members', () => {
    expect(
      normalizeResource(GROUP_RESOURCE, { displayName: 'Staff', members: [{ value: 'u1', display: 'x' }] }),
    ).toEqual({
      displayName: 'Staff',
      members: [{ value: 'u1', display: 'x' }],
    });
    expect(() => normalizeResource(GROUP_RESOURCE, { members: [] })).toThrow(/displayName is required/);
  });
});
