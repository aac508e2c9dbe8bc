import { describe, expect, it } from 'vitest';
import { ControlFileEngineError } from '../errors.js';
import { validateControl } from '../validation/validate-control.js';
import { createTransformer } from './transformer.js';

// A small seeded PRNG so failures reproduce.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const ACTIONS = [
  'field',
  'field-structured',
  'set-value',
  'remove-values',
  'if-exists',
  'if-value-one-of',
  'if-has-value',
  'within',
  'for-each',
  'new',
  'load',
  'assert-destination',
  'abort-record',
  'log-error',
  'set-attribute-group',
  'nope',
  undefined,
];
const DESTS = ['user', 'user:tags', 'profile', 'value:person-name', 'value:postal-address', 'nope', 3];
const NAMES = [
  'username',
  'nameFirst',
  'nameLast',
  'email',
  'groups',
  'title',
  'std:attribute:job-title',
  'std:attribute:start-date',
  'std:attribute:telephone',
  'std:attribute:address',
  'std:attribute:url',
  'first',
  'last',
  'country',
  'x',
];
const SOURCES = ['A', 'B', 'C', 'value', 'LIST', 'OBJ'];

function randomValue(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 2 ? 6 : 9));
  switch (k) {
    case 0:
      return '';
    case 1:
      return Math.floor(r() * 100) - 50;
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return ['x', 'Joe', '2021-06-01', 'a@b.c', '01632 960123', 'GB', 'true'][Math.floor(r() * 7)];
    case 5:
      return r() * 1e6;
    case 6:
      return [randomValue(r, depth + 1), randomValue(r, depth + 1)];
    case 7:
      return { A: randomValue(r, depth + 1), value: randomValue(r, depth + 1) };
    default:
      return undefined;
  }
}

const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)];

function randomInstruction(r: () => number, depth: number): Record<string, unknown> {
  const ins: Record<string, unknown> = {};
  const action = pick(r, ACTIONS);
  if (action !== undefined) ins.action = action;
  if (r() < 0.9) ins.source = pick(r, SOURCES);
  if (r() < 0.9) ins.destination = pick(r, DESTS);
  if (r() < 0.9) ins.name = pick(r, NAMES);
  if (r() < 0.3) ins.value = randomValue(r);
  if (r() < 0.5) ins.multivalue = r() < 0.8 ? true : 'yes';
  if (r() < 0.2) ins.dateFormat = pick(r, ['yyyy-MM-dd', 'dd/MM/yy HH:mm', 'Q']);
  if (r() < 0.2) ins.filters = r() < 0.8 ? ['haplo:to-lower-case', 'haplo:fix-up-url'] : 'x';
  if (r() < 0.2) ins.mapInputValue = { x: 'y', Joe: null };
  if (r() < 0.1) ins.refMapping = pick(r, ['m', 'missing']);
  if (r() < 0.2) ins.values = ['x', 1, null];
  if (r() < 0.1) ins.structured = pick(r, ['value:person-name', 'value:postal-address']);
  if (r() < 0.1) ins.message = 'msg';
  if (r() < 0.1) ins.exists = r() < 0.5;
  if (r() < 0.1) ins.wrapValues = true;
  if (depth < 3) {
    if (r() < 0.3) ins.then = randomList(r, depth + 1);
    if (r() < 0.2) ins.else = randomList(r, depth + 1);
    if (r() < 0.3) ins.instructions = randomList(r, depth + 1);
  }
  return ins;
}

function randomList(r: () => number, depth: number) {
  return Array.from({ length: Math.floor(r() * 5) }, () => randomInstruction(r, depth));
}

describe('fuzz', () => {
  it('10,000 random control files and records never throw anything but messages', () => {
    const r = rng(4);
    let compiled = 0;
    for (let i = 0; i < 10_000; i++) {
      const instructions = randomList(r, 0);
      if (r() < 0.7) instructions.unshift({ source: 'A', destination: 'user', name: 'username' });
      const json = {
        dataImportControlFileVersion: r() < 0.95 ? 0 : 1,
        model: 'haplo:user-sync',
        files: { f: { read: 'json' } },
        instructions,
        mapping: { m: { values: { x: 'code:x' } } },
      };
      const { problems, controlFile } = validateControl(json);
      for (const p of problems) expect(typeof p.message).toBe('string');
      if (!controlFile) continue;
      let transformer;
      try {
        transformer = createTransformer(controlFile);
      } catch (err) {
        expect(err).toBeInstanceOf(ControlFileEngineError);
        continue;
      }
      compiled++;
      for (let j = 0; j < 3; j++) {
        const record = {
          A: randomValue(r),
          B: randomValue(r),
          C: randomValue(r),
          LIST: [randomValue(r), 'x'],
          OBJ: { A: randomValue(r) },
        };
        const result = transformer.transform(record, j);
        for (const e of result.errors) expect(typeof e).toBe('string');
        if (result.complete) expect(result.desired).toBeDefined();
      }
    }
    expect(compiled).toBeGreaterThan(100);
  });
});
