import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ReaderError } from '../errors.js';
import type { FileSpec } from '../model/types.js';
import { readRecords } from './read-records.js';

async function read(spec: FileSpec, ...chunks: (string | Buffer)[]) {
  const out: unknown[] = [];
  for await (const r of readRecords('people', spec, Readable.from(chunks))) out.push(r);
  return out;
}

/** Splits text into tiny chunks so every chunk-boundary path is exercised. */
const bytewise = (text: string | Buffer, size = 3) => {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return parts;
};

async function failure(spec: FileSpec, ...chunks: (string | Buffer)[]): Promise<ReaderError> {
  try {
    await read(spec, ...chunks);
  } catch (err) {
    expect(err).toBeInstanceOf(ReaderError);
    return err as ReaderError;
  }
  throw new Error('expected a ReaderError');
}

describe('json reader', () => {
  const doc = '[\n {"ID": "a", "N": [1, {"x": "]"}]},\n {"ID": "b\\"}", "E": "é"},\n 42, "s", null\n]\n';

  it('yields each element of the top-level array, across any chunking', async () => {
    const expected = [{ ID: 'a', N: [1, { x: ']' }] }, { ID: 'b"}', E: 'é' }, 42, 's', null];
    expect(await read({ read: 'json' }, doc)).toEqual(expected);
    expect(await read({ read: 'json' }, ...bytewise(doc, 1))).toEqual(expected);
    expect(await read({ read: 'json' }, ...bytewise(doc, 7))).toEqual(expected);
  });

  it('handles an empty array, a BOM and a top-level object (values, Haplo quirk)', async () => {
    expect(await read({ read: 'json' }, '[ ]')).toEqual([]);
    expect(await read({ read: 'json' }, '\uFEFF[{"a":1}]')).toEqual([{ a: 1 }]);
    expect(await read({ read: 'json' }, ...bytewise('{"x": {"ID": "a"}, "y": {"ID": "b,}"}}', 2))).toEqual([
      { ID: 'a' },
      { ID: 'b,}' },
    ]);
  });

  it('singleRecord makes the document one record', async () => {
    expect(await read({ read: 'json', singleRecord: true }, '{"ID":', '"a"}')).toEqual([{ ID: 'a' }]);
  });

  it('reports malformed input with line, column and record', async () => {
    const e = await failure({ read: 'json' }, '[\n{"ID":"a"},\n{"ID": "b" "X": 1}\n]');
    expect(e.location).toMatchObject({ line: 3, recordNumber: 1 });
    expect(e.message).toMatch(/^Error reading file people at line 3, column \d+, record 1: invalid JSON/);
    expect((await failure({ read: 'json' }, '[{"a":1},]')).message).toMatch(
      /unexpected ']' where a record was expected/,
    );
    expect((await failure({ read: 'json' }, '[{"a":1}')).message).toMatch(/unexpected end of input/);
    expect((await failure({ read: 'json' }, '[1] x')).message).toMatch(/unexpected data after the end/);
    expect((await failure({ read: 'json' }, '"text"')).message).toMatch(/must hold a JSON array/);
    expect((await failure({ read: 'json' }, '')).message).toMatch(/the file is empty/);
    expect((await failure({ read: 'json', singleRecord: true }, '{"a":')).message).toMatch(/invalid JSON/);
  });
});

describe('tsv-with-name-row reader', () => {
  it('reads a header and records, leaving out empty cells', async () => {
    expect(await read({ read: 'tsv-with-name-row' }, 'ID\tNAME\tDEPT\na\tAnn\t\nb\t\tX\n')).toEqual([
      { ID: 'a', NAME: 'Ann' },
      { ID: 'b', DEPT: 'X' },
    ]);
  });

  it('splits on runs of CR/LF and drops the trailing-newline empty record (deliberate difference)', async () => {
    const text = 'ID\tN\r\n\r\na\t1\r\rb\t2\r\n\n';
    expect(await read({ read: 'tsv-with-name-row' }, text)).toEqual([
      { ID: 'a', N: '1' },
      { ID: 'b', N: '2' },
    ]);
    expect(await read({ read: 'tsv-with-name-row' }, ...bytewise(text, 1))).toHaveLength(2);
    expect(await read({ read: 'tsv-with-name-row' }, 'ID\tN\na\t1')).toEqual([{ ID: 'a', N: '1' }]);
  });

  it('supports multi-character separators and no quoting', async () => {
    expect(await read({ read: 'tsv-with-name-row', separator: '||' }, 'ID||N\na||"x|y"\n')).toEqual([
      { ID: 'a', N: '"x|y"' },
    ]);
  });

  it('decodes a Latin-1 file', async () => {
    const bytes = iconv.encode('ID\tNAME\nz1\tZoë Müller\n', 'latin1');
    expect(await read({ read: 'tsv-with-name-row', charset: 'ISO-8859-1' }, ...bytewise(bytes, 2))).toEqual([
      { ID: 'z1', NAME: 'Zoë Müller' },
    ]);
  });

  it('strips a UTF-8 BOM from the header', async () => {
    expect(await read({ read: 'tsv-with-name-row' }, Buffer.from('\uFEFFID\na\n'))).toEqual([{ ID: 'a' }]);
  });
});

describe('csv reader', () => {
  it('handles RFC 4180 quotes, embedded separators, quotes and newlines', async () => {
    const text = 'ID,NAME,NOTE\r\na,"Smith, Jo","said ""hi""\nthen left"\r\nb,Lee,\r\n';
    const expected = [
      { ID: 'a', NAME: 'Smith, Jo', NOTE: 'said "hi"\nthen left' },
      { ID: 'b', NAME: 'Lee' },
    ];
    expect(await read({ read: 'csv' }, text)).toEqual(expected);
    expect(await read({ read: 'csv' }, ...bytewise(text, 2))).toEqual(expected);
  });

  it('strips a BOM, takes a separator and a charset', async () => {
    expect(await read({ read: 'csv' }, Buffer.from('\uFEFFID;N\na;1\n'))).toEqual([{ 'ID;N': 'a;1' }]);
    expect(await read({ read: 'csv', separator: ';' }, Buffer.from('\uFEFFID;N\na;1\n'))).toEqual([
      { ID: 'a', N: '1' },
    ]);
    expect(await read({ read: 'csv', charset: 'windows-1252' }, iconv.encode('ID,N\na,café €\n', 'win1252'))).toEqual([
      { ID: 'a', N: 'café €' },
    ]);
  });

  it('skips blank lines and tolerates ragged rows', async () => {
    expect(await read({ read: 'csv' }, 'ID,N\n\na\nb,1,extra\n')).toEqual([{ ID: 'a' }, { ID: 'b', N: '1' }]);
  });

  it('reports an unclosed quote with its line', async () => {
    const e = await failure({ read: 'csv' }, 'ID,N\na,1\nb,"open\n');
    expect(e.location.line).toBeGreaterThanOrEqual(3);
    expect(e.message).toMatch(/^Error reading file people at line \d+: Quote Not Closed/);
  });
});

describe('xml readers', () => {
  const xml =
    '<?xml version="1.0"?>\n<people>\n <person><ID>a</ID><NAME>Ann &amp; Co</NAME><NAME>Last</NAME></person>\n <p2 ID="x"><ID><![CDATA[b]]></ID><EMPTY/></p2>\n <empty/>\n</people>';

  it('xml-text-of-children: record = children text, repeated child keeps the last', async () => {
    const expected = [{ ID: 'a', NAME: 'Last' }, { ID: 'b', EMPTY: '' }, {}];
    expect(await read({ read: 'xml-text-of-children' }, xml)).toEqual(expected);
    expect(await read({ read: 'xml-text-of-children' }, ...bytewise(xml, 5))).toEqual(expected);
  });

  it('xml-attributes: record = attributes of each child of the root', async () => {
    const text = '<users xmlns:h="urn:x"><user ID="a" h:NAME="Ann"/><user ID="b" xmlns="urn:y"/></users>';
    expect(await read({ read: 'xml-attributes' }, text)).toEqual([{ ID: 'a', NAME: 'Ann' }, { ID: 'b' }]);
  });

  it('singleRecord uses the root itself', async () => {
    expect(await read({ read: 'xml-text-of-children', singleRecord: true }, '<r><ID>a</ID></r>')).toEqual([
      { ID: 'a' },
    ]);
    expect(await read({ read: 'xml-attributes', singleRecord: true }, '<r ID="a"/>')).toEqual([{ ID: 'a' }]);
  });

  it('an empty root gives no records', async () => {
    expect(await read({ read: 'xml-text-of-children' }, '<people/>')).toEqual([]);
  });

  it('takes the charset from the XML declaration', async () => {
    const bytes = iconv.encode('<?xml version="1.0" encoding="ISO-8859-1"?><p><u><N>Zoë</N></u></p>', 'latin1');
    expect(await read({ read: 'xml-text-of-children' }, bytes)).toEqual([{ N: 'Zoë' }]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('<p><u><N>Zoë</N></u></p>', 'utf16le')]);
    expect(await read({ read: 'xml-text-of-children' }, utf16)).toEqual([{ N: 'Zoë' }]);
  });

  it('reports malformed XML with line and column', async () => {
    const e = await failure({ read: 'xml-text-of-children' }, '<p>\n<u><N>a</X></u></p>');
    expect(e.location.line).toBe(2);
    expect(e.message).toMatch(/^Error reading file people at line 2, column \d+: /);
    const enc = await failure({ read: 'xml-attributes' }, '<?xml version="1.0" encoding="x-klingon"?><p/>');
    expect(enc.message).toMatch(/unsupported encoding in XML declaration: x-klingon/);
  });
});
