import { describe, expect, it } from 'vitest';
import { ScimError } from './errors.js';
import type { ScimResource } from './normalize.js';
import { applyPatch, parsePatchRequest, PATCH_SCHEMA } from './patch.js';
import { GROUP_RESOURCE, USER_RESOURCE, type ResourceType } from './resource-types.js';
import { ENTERPRISE_USER_SCHEMA } from './schemas.js';

const user: ScimResource = {
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
};
const patch = (operations: unknown[], resource: ScimResource = user, type: ResourceType = USER_RESOURCE) =>
  applyPatch(type, resource, parsePatchRequest(type, { schemas: [PATCH_SCHEMA], Operations: operations }));
const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScimError) return `${err.status} ${err.scimType} ${err.detail}`;
    throw err;
  }
  return 'no error';
};

describe('PATCH add', () => {
  it('sets a single-valued attribute by path and appends to a multi-valued one', () => {
    const r = patch([
      { op: 'add', path: 'title', value: 'Tour Guide' },
      { op: 'add', path: 'emails', value: [{ value: 'b@other.org', type: 'other' }] },
    ]);
    expect(r.title).toBe('Tour Guide');
    expect(r.emails).toHaveLength(3);
  });

  it('without a path takes each key of the value as an attribute, dotted paths and extensions included', () => {
    const r = patch([
      {
        op: 'add',
        value: {
          nickName: 'Babs',
          'name.middleName': 'Jane',
          [`${ENTERPRISE_USER_SCHEMA}:department`]: 'Tours',
          [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '42' },
          id: 'ignored',
        },
      },
    ]);
    expect(r.nickName).toBe('Babs');
    expect(r.name).toEqual({ givenName: 'Barbara', familyName: 'Jensen', middleName: 'Jane' });
    expect(r[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Tours', employeeNumber: '42' });
    expect(r.id).toBeUndefined();
  });

  it('does not add a value that is already there', () => {
    const r = patch([{ op: 'add', path: 'emails', value: [{ type: 'home', value: 'babs@jensen.org' }] }]);
    expect(r.emails).toHaveLength(2);
  });

  it('creates the value a filter names when nothing matches (Entra writes a new work phone this way)', () => {
    const r = patch([{ op: 'add', path: 'phoneNumbers[type eq "work"].value', value: '+44 20 7946 0000' }]);
    expect(r.phoneNumbers).toEqual([{ type: 'work', value: '+44 20 7946 0000' }]);
  });

  it('keeps one primary value', () => {
    const r = patch([{ op: 'add', path: 'emails', value: { value: 'new@example.com', primary: true } }]);
    const primaries = (r.emails as { primary?: boolean }[]).filter((e) => e.primary);
    expect(primaries).toEqual([{ value: 'new@example.com', primary: true }]);
  });
});

describe('PATCH replace', () => {
  it('replaces by path, with value filters and sub-attributes', () => {
    const r = patch([
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'barbara@example.com' },
      { op: 'replace', path: 'name.givenName', value: 'Babs' },
    ]);
    expect(r.emails).toEqual([
      { value: 'barbara@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
    expect(r.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' });
  });

  it('takes what Entra ID sends: "Replace", the string "False", no path', () => {
    expect(patch([{ op: 'Replace', path: 'active', value: 'False' }]).active).toBe(false);
    expect(patch([{ op: 'replace', value: { active: false, displayName: 'B J' } }])).toMatchObject({
      active: false,
      displayName: 'B J',
    });
  });

  it('takes a plain string for the manager (a complex attribute)', () => {
    const r = patch([{ op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:manager`, value: 'boss-id' }]);
    expect(r[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: 'boss-id' } });
  });

  it('replaces a whole multi-valued attribute', () => {
    const r = patch([{ op: 'replace', path: 'emails', value: [{ value: 'only@example.com' }] }]);
    expect(r.emails).toEqual([{ value: 'only@example.com' }]);
  });

  it('fails with noTarget when a filter that is not an equality matches nothing', () => {
    expect(failure(() => patch([{ op: 'replace', path: 'emails[value co "nowhere"].type', value: 'x' }]))).toMatch(
      /^400 noTarget Operations\[0\]/,
    );
  });
});

describe('PATCH remove', () => {
  it('removes attributes, sub-attributes and filtered values', () => {
    const r = patch([
      { op: 'remove', path: 'name.givenName' },
      { op: 'remove', path: 'emails[type eq "home"]' },
    ]);
    expect(r.name).toEqual({ familyName: 'Jensen' });
    expect(r.emails).toEqual([{ value: 'bjensen@example.com', type: 'work', primary: true }]);
  });

  it('removes group members listed in value (Entra) or by filter (Okta), and nothing else', () => {
    const group = { displayName: 'Staff', members: [{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }] };
    const a = patch([{ op: 'Remove', path: 'members', value: [{ value: 'u1' }] }], group, GROUP_RESOURCE);
    expect(a.members).toEqual([{ value: 'u2' }, { value: 'u3' }]);
    const b = patch([{ op: 'remove', path: 'members[value eq "u2"]' }], group, GROUP_RESOURCE);
    expect(b.members).toEqual([{ value: 'u1' }, { value: 'u3' }]);
    const c = patch([{ op: 'remove', path: 'members[value eq "absent"]' }], group, GROUP_RESOURCE);
    expect(c.members).toEqual(group.members);
  });

  it('refuses to remove a required attribute', () => {
    expect(failure(() => patch([{ op: 'remove', path: 'userName' }]))).toMatch(/^400 invalidValue userName/);
  });
});

describe('PATCH requests that are wrong', () => {
  it('names the operation and what is wrong', () => {
    const bad = (ops: unknown) =>
      failure(() => parsePatchRequest(USER_RESOURCE, { schemas: [PATCH_SCHEMA], Operations: ops }));
    expect(bad([])).toMatch(/^400 invalidSyntax/);
    expect(bad([{ op: 'move', path: 'title' }])).toMatch(/^400 invalidSyntax Operations\[0\]\.op/);
    expect(bad([{ op: 'remove' }])).toMatch(/^400 noTarget/);
    expect(bad([{ op: 'add', path: 'title' }])).toMatch(/^400 invalidValue/);
    expect(bad([{ op: 'add', path: 'shoeSize', value: 9 }])).toMatch(/^400 invalidPath Operations\[0\]/);
    expect(bad([{ op: 'replace', path: 'id', value: 'x' }])).toMatch(/^400 mutability/);
    expect(bad([{ op: 'replace', path: 'emails[type eq', value: 'x' }])).toMatch(/^400 invalidPath/);
    expect(failure(() => parsePatchRequest(USER_RESOURCE, { schemas: ['x'], Operations: [] }))).toMatch(
      /^400 invalidSyntax/,
    );
  });

  it('changes nothing when a later operation fails', () => {
    const before = structuredClone(user);
    expect(
      failure(() =>
        patch([
          { op: 'replace', path: 'title', value: 'X' },
          { op: 'replace', path: 'active', value: 'perhaps' },
        ]),
      ),
    ).toMatch(/^400 invalidValue Operations\[1\]/);
    expect(user).toEqual(before);
  });
});
