import { describe, expect, it } from 'vitest';
import { JsonSplitError, JsonSplitter } from './json-splitter.js';

// A small seeded PRNG so failures reproduce.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

/** Random JSON values whose strings are full of quotes, backslashes, brackets and commas. */
function value(random: () => number, depth = 0): unknown {
  const r = random();
  const str = () =>
    Array.from({ length: Math.floor(random() * 8) }, () => '\\"ab,]}[{é\n'[Math.floor(random() * 12)]).join('');
  if (depth > 2 || r < 0.3) return str();
  if (r < 0.4) return Math.floor(random() * 1000) - 500;
  if (r < 0.45) return [null, true, false][Math.floor(random() * 3)];
  if (r < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => value(random, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let k = Math.floor(random() * 5); k > 0; k--) obj[str()] = value(random, depth + 1);
  return obj;
}

function split(splitter: JsonSplitter, text: string, random: () => number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < text.length;) {
    const size = 1 + Math.floor(random() * (random() < 0.5 ? 8 : 400));
    out.push(...splitter.push(text.slice(i, i + size)));
    i += size;
  }
  splitter.end();
  return out;
}

describe('JsonSplitter', () => {
  it('gives JSON.parse results for 500 random documents cut at random places', () => {
    const random = rng(7);
    for (let doc = 0; doc < 500; doc++) {
      const records = Array.from({ length: Math.floor(random() * 30) }, () => value(random));
      const sep = [',', ' , ', ',\n', '\r\n,\t'][doc % 4];
      const text = `${doc % 2 ? '\n' : ''}[${records.map((r) => JSON.stringify(r)).join(sep)}]\n`;
      expect(split(new JsonSplitter(), text, random)).toEqual(JSON.parse(text));
    }
  });

  it('parses whole-chunk runs in one go and carried-over records alike', () => {
    const records = Array.from({ length: 2000 }, (_, i) => ({ ID: `U${i}`, S: 'a\\"b', N: [i, { x: '],' }] }));
    const text = `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]`;
    const splitter = new JsonSplitter();
    const out: unknown[] = [];
    for (let i = 0; i < text.length; i += 65536) out.push(...splitter.push(text.slice(i, i + 65536)));
    splitter.end();
    expect(out).toEqual(records);
  });

  it('names the bad record, its line and column, even inside a run of good ones', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `{"ID": "U${i}"}`);
    lines[57] = '{"ID": "U57" "X": 1}';
    const text = `[\n${lines.join(',\n')}\n]`;
    for (const size of [7, 100, 65536]) {
      const splitter = new JsonSplitter();
      let error: unknown;
      try {
        for (let i = 0; i < text.length; i += size) splitter.push(text.slice(i, i + size));
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(JsonSplitError);
      expect(error).toMatchObject({ line: 59, column: 14, recordNumber: 57 });
    }
  });

  it('still reports structural errors after good records', () => {
    const run = (text: string) => {
      try {
        new JsonSplitter().push(text);
      } catch (err) {
        return err as JsonSplitError;
      }
      throw new Error('expected an error');
    };
    expect(run('[{"a":1},\n{"b":2},,{"c":3}]')).toMatchObject({ line: 2, column: 9, recordNumber: 2 });
    expect(run('[{"a":1},{"b":2}}')).toMatchObject({ message: "unexpected '}'", recordNumber: 1 });
    expect(run('[{"a":1}] x')).toMatchObject({ message: 'unexpected data after the end of the JSON document' });
    // A bad record before the structural error is the one reported.
    expect(run('[{"a":1},{"b" 2},,]')).toMatchObject({ recordNumber: 1 });
  });

  it('object mode: a member cut anywhere across chunks (even just after its opening quote) is kept', () => {
    const text = '{"k0": {"a": 1},\n"k1": {"b": "x\\"y"}, "k2": [3]}';
    const want = [{ a: 1 }, { b: 'x"y' }, [3]];
    for (let cut = 1; cut < text.length; cut++) {
      const splitter = new JsonSplitter();
      const got = [...splitter.push(text.slice(0, cut)), ...splitter.push(text.slice(cut))];
      splitter.end();
      expect(got).toEqual(want);
    }
  });
});
