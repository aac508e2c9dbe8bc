import { describe, expect, it } from 'vitest';
import { canonicalJson, desiredStateDigest, type DesiredUser } from '@usersync/control-file';
import { desiredParts } from './transform-stage.js';

const users: DesiredUser[] = [
  { username: 'jb', nameFirst: 'Joe', nameLast: 'Bloggs', email: 'j@x', groups: [], tags: {}, profile: {} },
  {
    username: 'ab\u00e9',
    title: 'Dr',
    nameFirst: 'A "quoted" \\ name',
    nameLast: 'Ünïcode\n',
    email: 'a@b',
    groups: ['researchers', 'staff'],
    tags: { z: '1', a: '2', department: 'chem' },
    profile: { 'std:attribute:telephone': [{ number: '+44', country: 'GB' }], 'a:b': ['x', 'y'] },
  },
];

describe('desiredParts', () => {
  it('gives the same digest as desiredStateDigest and the canonical JSON of each column', () => {
    for (const desired of users) {
      const parts = desiredParts(desired);
      expect(parts.digest).toBe(desiredStateDigest(desired));
      expect(parts.groups).toBe(canonicalJson(desired.groups));
      expect(JSON.parse(parts.tags)).toEqual(desired.tags);
      expect(JSON.parse(parts.profile)).toEqual(desired.profile);
    }
  });
});
