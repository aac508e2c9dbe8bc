import { describe, expect, it } from 'vitest';
import { checkIfMatch, etagOf, notModified } from './etag.js';
import { parsePaging } from './list-response.js';
import { parseProjection, project } from './projection.js';
import { USER_RESOURCE } from './resource-types.js';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from './schemas.js';

const answer = {
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
  id: 'u1',
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [{ value: 'b@example.com', type: 'work' }],
  [ENTERPRISE_USER_SCHEMA]: { department: 'Tours', employeeNumber: '7' },
  meta: { resourceType: 'User', version: 'W/"1"' },
};
const view = (attributes?: string, excluded?: string) =>
  project(USER_RESOURCE, answer, parseProjection(USER_RESOURCE, attributes, excluded));

describe('attributes and excludedAttributes', () => {
  it('returns only what was asked for, and always id and schemas', () => {
    expect(view('userName,NAME.givenName')).toEqual({
      schemas: answer.schemas,
      id: 'u1',
      userName: 'bjensen',
      name: { givenName: 'Barbara' },
    });
    expect(view('emails.value')).toMatchObject({ emails: [{ value: 'b@example.com' }] });
    expect(view(`${ENTERPRISE_USER_SCHEMA}:department`)).toMatchObject({
      [ENTERPRISE_USER_SCHEMA]: { department: 'Tours' },
    });
  });

  it('leaves out what was excluded, but never id', () => {
    const r = view(undefined, 'emails,id,name.familyName,meta');
    expect(r.emails).toBeUndefined();
    expect(r.meta).toBeUndefined();
    expect(r.id).toBe('u1');
    expect(r.name).toEqual({ givenName: 'Barbara' });
  });
});

describe('paging and versions', () => {
  it('reads startIndex and count as RFC 7644 §3.4.2.4 says', () => {
    expect(parsePaging(undefined, undefined, 100)).toEqual({ startIndex: 1, count: 100 });
    expect(parsePaging('0', '0', 100)).toEqual({ startIndex: 1, count: 0 });
    expect(parsePaging('5', '-3', 100)).toEqual({ startIndex: 5, count: 0 });
    expect(parsePaging('1', '5000', 100)).toEqual({ startIndex: 1, count: 100 });
    expect(() => parsePaging('one', undefined, 100)).toThrow(/startIndex must be an integer/);
  });

  it('compares entity tags weakly', () => {
    expect(etagOf(3)).toBe('W/"3"');
    expect(() => checkIfMatch('W/"3"', 3)).not.toThrow();
    expect(() => checkIfMatch('"3"', 3)).not.toThrow();
    expect(() => checkIfMatch('*', 3)).not.toThrow();
    expect(() => checkIfMatch('W/"2"', 3)).toThrow(/version is W\/"3"/);
    expect(notModified('W/"3", W/"4"', 4)).toBe(true);
    expect(notModified(undefined, 4)).toBe(false);
  });
});
