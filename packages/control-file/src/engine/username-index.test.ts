import { describe, expect, it } from 'vitest';
import { UsernameIndex, UsernameSet } from './username-index.js';

describe('UsernameIndex', () => {
  it('answers as a Set<string> would, through growth of every array', () => {
    let seed = 3;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = 'abcXYZ019._-éß\u4e2d\ud83d\ude00';
    const names: string[] = [];
    for (let i = 0; i < 60000; i++) {
      if (names.length > 0 && random() < 0.2) {
        names.push(names[Math.floor(random() * names.length)]);
        continue;
      }
      const length = random() < 0.01 ? 200 + Math.floor(random() * 2000) : Math.floor(random() * 12);
      names.push(Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    }
    const set = new UsernameIndex();
    const reference = new Set<string>();
    for (const name of names) {
      const isNew = !reference.has(name);
      reference.add(name);
      expect(set.add(name)).toBe(isNew);
    }
    for (const name of reference) expect(set.add(name)).toBe(false);
    // Entries are numbered in the order first added; indexOf and nameAt map between number and name.
    const order = [...reference];
    expect(set.size).toBe(order.length);
    order.forEach((name, entry) => {
      expect(set.indexOf(name)).toBe(entry);
      expect(set.nameAt(entry)).toBe(name);
    });
    expect(set.indexOf('not there at all')).toBe(-1);
  });

  it('gives back a name of any length from its entry number', () => {
    const set = new UsernameIndex();
    const long = 'x\ud800'.repeat(150_000); // 300,000 code units, a lone surrogate among them
    set.add('a');
    set.add(long);
    expect(set.nameAt(1)).toBe(long);
    expect(set.indexOf(long)).toBe(1);
  });

  it('tells apart names that differ only in length or in one character', () => {
    const set = new UsernameIndex();
    for (const name of ['', 'a', 'aa', 'ab', 'ba', 'a\u0000', 'A']) expect(set.add(name)).toBe(true);
    for (const name of ['', 'a', 'aa', 'ab', 'ba', 'a\u0000', 'A']) expect(set.add(name)).toBe(false);
  });

  it('is still exported as UsernameSet', () => {
    expect(UsernameSet).toBe(UsernameIndex);
  });
});
