import iconv from 'iconv-lite';
import { SaxesParser } from 'saxes';
import { ReaderError } from '../errors.js';
import type { FileSpec, SourceRecord } from '../model/types.js';
import { decodeText, type ByteSource } from './decode.js';

export type XmlMode = 'text-of-children' | 'attributes';

const SNIFF_BYTES = 1024;

/**
 * `xml-text-of-children` / `xml-attributes`: each child element of the root is a record, made of its
 * children's text or of its attributes (element names are ignored; a repeated child keeps its last value;
 * there is no nesting). With `singleRecord` the root itself is the record. The charset comes from the
 * XML declaration (or a BOM), UTF-8 when there is none.
 */
export async function* readXml(
  fileName: string,
  spec: FileSpec,
  source: ByteSource,
  mode: XmlMode,
): AsyncGenerator<SourceRecord> {
  const { head, rest } = await takeHead(source);
  const charset = sniffCharset(fileName, head);
  const parser = new SaxesParser({ position: true });
  const recordDepth = spec.singleRecord ? 1 : 2;
  const childDepth = recordDepth + 1;
  let depth = 0;
  let record: Record<string, string> | undefined;
  let child: string | undefined;
  let text = '';
  let ready: SourceRecord[] = [];
  parser.on('opentag', (tag) => {
    depth++;
    if (depth === recordDepth) {
      record = mode === 'attributes' ? attributesOf(tag.attributes as Record<string, string>) : {};
    } else if (depth === childDepth && mode === 'text-of-children') {
      child = localName(tag.name);
      text = '';
    }
  });
  const addText = (t: string) => {
    if (child !== undefined && depth >= childDepth) text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    if (depth === childDepth && child !== undefined && record) {
      record[child] = text;
      child = undefined;
    } else if (depth === recordDepth && record) {
      ready.push(record);
      record = undefined;
    }
    depth--;
  });
  try {
    for await (const chunk of decodeText(concatHead(head, rest), charset)) {
      parser.write(chunk);
      if (ready.length > 0) {
        const batch = ready;
        ready = [];
        yield* batch;
      }
    }
    parser.close();
    yield* ready;
  } catch (err) {
    if (err instanceof ReaderError) throw err;
    const message = (err as Error).message.replace(/^[^:]*:\d+:\d+: /, '');
    throw new ReaderError(fileName, message, { line: parser.line, column: parser.column }, { cause: err });
  }
}

function attributesOf(attrs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attrs)) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) out[localName(name)] = value;
  }
  return out;
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i === -1 ? name : name.slice(i + 1);
}

/** Reads enough bytes to see the XML declaration, without consuming the rest of the stream. */
async function takeHead(source: ByteSource): Promise<{ head: Buffer; rest: AsyncIterator<Uint8Array | string> }> {
  const rest = source[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let length = 0;
  while (length < SNIFF_BYTES) {
    const next = await rest.next();
    if (next.done) break;
    const buf = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : Buffer.from(next.value);
    parts.push(buf);
    length += buf.length;
  }
  return { head: Buffer.concat(parts), rest };
}

async function* concatHead(head: Buffer, rest: AsyncIterator<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  if (head.length > 0) yield head;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
  }
}

export function sniffCharset(fileName: string, head: Buffer): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const m = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head.toString('latin1'));
  if (!m) return 'utf-8';
  if (!iconv.encodingExists(m[1]))
    throw new ReaderError(fileName, `unsupported encoding in XML declaration: ${m[1]}`, { line: 1 });
  return m[1];
}
