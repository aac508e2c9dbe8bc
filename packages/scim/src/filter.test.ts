import { describe, expect, it } from 'vitest';
import { ScimError } from './errors.js';
import { parseFilter } from './filter.js';
import { matchesFilter } from './filter-match.js';
import type { ScimResource } from './normalize.js';
import { ENTERPRISE_USER_SCHEMA } from './schemas.js';
import { GROUP_RESOURCE, USER_RESOURCE } from './resource-types.js';

// RFC 7644 §3.4.2.2's own examples, against a user like the RFC's Babs Jensen.
const babs: ScimResource = {
  externalId: 'bjensen',
  userName: 'bjensen@example.com',
  name: { familyName: 'Jensen', givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  title: 'Tour Guide',
  userType: 'Employee',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '701984', department: 'Tour Operations' },
};
const matches = (text: string, r: ScimResource = babs) => matchesFilter(r, parseFilter(USER_RESOURCE, text));
const scimTypeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof ScimError ? `${err.status} ${err.scimType}` : String(err);
  }
  return 'no error';
};

describe('parseFilter and matchesFilter', () => {
  it('compares userName case-insensitively, externalId exactly', () => {
    expect(matches('userName eq "BJensen@Example.com"')).toBe(true);
    expect(matches('externalId eq "bjensen"')).toBe(true);
    expect(matches('externalId eq "BJENSEN"')).toBe(false);
  });

  it('takes attribute names and operators in any case', () => {
    expect(matches('USERNAME Eq "bjensen@example.com"')).toBe(true);
    expect(matches('name.FAMILYNAME co "ens"')).toBe(true);
  });

  it('evaluates sw, ew, co, pr, and, or, not and parentheses', () => {
    expect(matches('userName sw "bj"')).toBe(true);
    expect(matches('userName ew "example.com"')).toBe(true);
    expect(matches('title pr')).toBe(true);
    expect(matches('nickName pr')).toBe(false);
    expect(matches('title pr and userType eq "Employee"')).toBe(true);
    expect(matches('title pr or userType eq "Intern"')).toBe(true);
    expect(matches('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")')).toBe(true);
    expect(matches('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")')).toBe(
      false,
    );
    expect(matches('not (active eq false)')).toBe(true);
  });

  it('matches any value of a multi-valued attribute, and value filters on one value', () => {
    expect(matches('emails.value eq "babs@jensen.org"')).toBe(true);
    expect(matches('emails[type eq "work" and value co "@example.com"]')).toBe(true);
    expect(matches('emails[type eq "home" and value co "@example.com"]')).toBe(false);
    expect(matches('emails[type eq "WORK"]')).toBe(true);
  });

  it('reads extension attributes by their full path', () => {
    expect(matches(`${ENTERPRISE_USER_SCHEMA}:department eq "tour operations"`)).toBe(true);
    expect(matches(`${ENTERPRISE_USER_SCHEMA.toLowerCase()}:employeeNumber eq "701984"`)).toBe(true);
  });

  it('compares booleans, taking "True" and a bare True as true', () => {
    expect(matches('active eq true')).toBe(true);
    expect(matches('active eq "True"')).toBe(true);
    expect(matches('active eq True')).toBe(true);
    expect(matches('active ne true')).toBe(false);
    expect(matches('displayName eq "True"')).toBe(false); // inside quotes, for a string, nothing changes
  });

  it('compares dateTimes chronologically', () => {
    const r = { ...babs, meta: { lastModified: '2011-05-13T04:42:34Z' } };
    expect(matches('meta.lastModified gt "2011-05-13T04:42:33Z"', r)).toBe(true);
    expect(matches('meta.lastModified lt "2011-05-13T04:42:34.000Z"', r)).toBe(false);
  });

  it('works for groups', () => {
    const group = { displayName: 'Staff', members: [{ value: 'u1' }, { value: 'u2' }] };
    expect(matchesFilter(group, parseFilter(GROUP_RESOURCE, 'displayName eq "staff"'))).toBe(true);
    expect(matchesFilter(group, parseFilter(GROUP_RESOURCE, 'members[value eq "u2"]'))).toBe(true);
  });

  it('refuses bad filters with 400 invalidFilter, naming the problem', () => {
    expect(scimTypeOf(() => parseFilter(USER_RESOURCE, 'userName eq'))).toBe('400 invalidFilter');
    expect(scimTypeOf(() => parseFilter(USER_RESOURCE, 'shoeSize eq "9"'))).toBe('400 invalidFilter');
    expect(scimTypeOf(() => parseFilter(USER_RESOURCE, 'active gt true'))).toBe('400 invalidFilter');
    expect(scimTypeOf(() => parseFilter(USER_RESOURCE, 'active eq "maybe"'))).toBe('400 invalidFilter');
    expect(scimTypeOf(() => parseFilter(USER_RESOURCE, 'userName[value eq "x"]'))).toBe('400 invalidFilter');
    expect(scimTypeOf(() => parseFilter(USER_RESOURCE, '   '))).toBe('400 invalidFilter');
    expect(() => parseFilter(USER_RESOURCE, 'shoeSize eq "9"')).toThrow(/shoeSize.*shoeSize eq/);
  });
});
