import { describe, expect, it } from 'vitest';
import { parseCredentials } from './credentials.js';

const basic = (userPass: string) => `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;

describe(parseCredentials.name, () => {
  it('reads the password of HTTP Basic with any username, as Haplo scripts send it', () => {
    expect(parseCredentials(basic('haplo:usk_abc'))).toBe('usk_abc');
    expect(parseCredentials(basic('anyone:usk_abc'))).toBe('usk_abc');
    expect(parseCredentials(basic(':usk_abc'))).toBe('usk_abc');
  });

  it('keeps colons inside the password', () => {
    expect(parseCredentials(basic('haplo:a:b:c'))).toBe('a:b:c');
  });

  it('reads a Bearer token, scheme names in any case', () => {
    expect(parseCredentials('Bearer usk_xyz')).toBe('usk_xyz');
    expect(parseCredentials('bearer usk_xyz')).toBe('usk_xyz');
    expect(parseCredentials(basic('haplo:k').replace('Basic', 'BASIC'))).toBe('k');
  });

  it('returns undefined for missing, empty or unusable credentials', () => {
    expect(parseCredentials(undefined)).toBeUndefined();
    expect(parseCredentials('')).toBeUndefined();
    expect(parseCredentials('Bearer')).toBeUndefined();
    expect(parseCredentials('Bearer a b')).toBeUndefined();
    expect(parseCredentials(basic('haplo:'))).toBeUndefined();
    expect(parseCredentials(basic('no-colon'))).toBeUndefined();
    expect(parseCredentials('Basic !!!not-base64!!!')).toBeUndefined();
    expect(parseCredentials('Digest username="x"')).toBeUndefined();
  });
});
