import { describe, expect, it } from 'vitest';
import { safetyDetail, safetyHold } from './safety-check.js';

const files = (...pairs: Array<[string, number]>) => pairs.map(([name, size]) => ({ name, size }));

describe('safetyHold', () => {
  it('holds the first run', () => {
    expect(safetyHold(files(['_control', 10]), null)).toBe('first_run');
  });

  it('holds a new file name, and a size change over 10% either way, _control included', () => {
    const before = files(['_control', 1000], ['users', 1000]);
    expect(safetyHold(files(['_control', 1000], ['users', 1000], ['staff', 5]), before)).toBe('files_too_different');
    expect(safetyHold(files(['_control', 1000], ['users', 1101]), before)).toBe('files_too_different');
    expect(safetyHold(files(['_control', 1000], ['users', 909]), before)).toBe('files_too_different');
    expect(safetyHold(files(['_control', 1200], ['users', 1000]), before)).toBe('files_too_different');
  });

  it('lets sizes within 10% and a disappeared file through', () => {
    const before = files(['_control', 1000], ['users', 1000], ['staff', 50]);
    expect(safetyHold(files(['_control', 1000], ['users', 1100]), before)).toBeNull();
    expect(safetyHold(files(['_control', 1000], ['users', 910]), before)).toBeNull();
  });

  it('explains the hold', () => {
    expect(safetyDetail(files(['users', 300]), files(['users', 100]))).toBe('users changed size from 100 to 300 bytes');
    expect(safetyDetail(files(['x', 1]), files(['users', 1]))).toBe('x is new');
  });
});
