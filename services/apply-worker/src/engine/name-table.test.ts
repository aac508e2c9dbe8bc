/** The name table against a Set and an array: same membership and numbering over many random names. */
import { describe, expect, it } from 'vitest';
import { NameTable } from './name-table.js';

describe('name table', () => {
  it('answers as a Set and numbers entries in the order added, past its growth points', () => {
    const table = new NameTable();
    const set = new Set<string>();
    const order: string[] = [];
    let seed = 11;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = ['a', 'b', 'z', '0', '9', '.', '-', 'é', 'ß', '中', '😀', '\t', '\\'];
    const name = () =>
      Array.from({ length: 1 + Math.floor(rand() * 12) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(
        '',
      );
    for (let n = 0; n < 60_000; n++) {
      const s = rand() < 0.2 && order.length > 0 ? order[Math.floor(rand() * order.length)]! : name();
      const { entry, added } = table.claim(s);
      expect(added).toBe(!set.has(s));
      if (added) {
        set.add(s);
        order.push(s);
      }
      expect(table.nameAt(entry)).toBe(s);
    }
    expect(table.size).toBe(set.size);
    order.forEach((s, i) => expect(table.indexOf(s)).toBe(i));
    expect(table.indexOf('not there at all, surely')).toBe(-1);
    expect(table.indexOf('')).toBe(set.has('') ? order.indexOf('') : -1);
  });

  it('keeps long names whole', () => {
    const table = new NameTable();
    const long = 'x'.repeat(200_000) + 'ü'.repeat(30_000);
    expect(table.claim(long).added).toBe(true);
    expect(table.claim(long).added).toBe(false);
    expect(table.nameAt(0)).toBe(long);
  });
});
