import { describe, expect, it } from 'vitest';
import { JsonSplitError } from './split-error.js';
import { JsonSplitter } from './splitter.js';

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

/** Records or the error, as the splitter gives them for `text` cut into `chunks`. */
function outcome(splitter: JsonSplitter, chunks: string[]): unknown {
  const out: unknown[] = [];
  try {
    for (const chunk of chunks) out.push(...splitter.push(chunk));
    splitter.end();
  } catch (err) {
    if (!(err instanceof JsonSplitError)) throw err;
    const { message, line, column, recordNumber } = err;
    return { message, line, column, recordNumber };
  }
  return out;
}

describe('JsonSplitter fast runs (records parsed without the character scan)', () => {
  const flat = (i: number) => JSON.stringify({ ID: `U${i}`, N: i, S: 'x' });

  it('equals the scanner for a file cut at every offset, and at every pair of offsets', () => {
    const docs = [
      `[\n${[0, 1, 2, 3].map(flat).join(',\n')}\n]\n`,
      // Nested objects and arrays of objects: `},{` and `}, {` inside records.
      '[{"a":{"b":1},"c":[{"x":1},{"y":2}]} , {"a":{},"c":[{}, {}]},{"d":1}]',
      // Strings holding `},{`, quotes and backslashes.
      '[{"s":"},{"},{"t":"\\"},{\\\\"},\r\n\t{"u":"}, {"}]',
      // Errors after good records: a bad record, a missing comma, a trailing comma, data after the end.
      `[\n${flat(0)},\n${flat(1)},\n{"ID": "U2" "X": 1},\n${flat(3)}\n]`,
      `[${flat(0)},${flat(1)} ${flat(2)},${flat(3)}]`,
      `[${flat(0)},${flat(1)},]`,
      `[${flat(0)},\n${flat(1)}]\n{"x":1},{"y":2}`,
    ];
    for (const text of docs) {
      const exact = outcome(new JsonSplitter(false), [text]);
      for (let cut = 0; cut <= text.length; cut++) {
        const chunks = [text.slice(0, cut), text.slice(cut)];
        expect(outcome(new JsonSplitter(), chunks)).toEqual(exact);
        expect(outcome(new JsonSplitter(false), chunks)).toEqual(exact);
      }
      for (let a = 0; a <= text.length; a += 3) {
        for (let b = a; b <= text.length; b += 2) {
          const chunks = [text.slice(0, a), text.slice(a, b), text.slice(b)];
          expect(outcome(new JsonSplitter(), chunks)).toEqual(exact);
        }
      }
    }
  });

  it('keeps line, column and record of an error chunks after the fast runs', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => flat(i));
    lines[4321] = '{"ID": "U4321", "N": 01}';
    const text = `[\n${lines.join(',\n')}\n]`;
    const want = { line: 4323, column: 23, recordNumber: 4321 };
    for (const size of [1000, 4096, 65536]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, k) =>
        text.slice(k * size, (k + 1) * size),
      );
      expect(outcome(new JsonSplitter(), chunks)).toMatchObject(want);
      expect(outcome(new JsonSplitter(), chunks)).toEqual(outcome(new JsonSplitter(false), chunks));
    }
  });

  it('gives JSON.parse results for random documents with flat and nested records', () => {
    const random = rng(11);
    for (let doc = 0; doc < 300; doc++) {
      const records = Array.from({ length: Math.floor(random() * 40) }, (_, i) =>
        doc % 3 === 0 ? value(random) : { ID: `U${i}`, V: value(random, 2), W: { x: value(random, 2) } },
      );
      const text = `[${records.map((r) => JSON.stringify(r)).join([',', ' ,\n ', ',\r\n'][doc % 3])}]`;
      expect(split(new JsonSplitter(), text, random)).toEqual(JSON.parse(text));
    }
  });
});
