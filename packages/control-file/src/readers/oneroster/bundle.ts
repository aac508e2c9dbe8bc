/**
 * A OneRoster CSV bundle: a zip archive whose entries are read by name (random access, so `users.csv` can
 * be streamed after the small files it refers to). The upload arrives as a stream; it is spooled to a
 * private temporary file, which is removed when the bundle is closed. Entries are read as strict UTF-8:
 * invalid bytes are an error naming the file and line, not replacement characters.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import yauzl from 'yauzl';
import type { ByteSource } from '../decode.js';

export interface Bundle {
  /** Entry names at the archive's top level (folders inside the zip are looked through: `export/users.csv` counts). */
  names: ReadonlySet<string>;
  /** Rows of a CSV entry, header first, each with the line it starts on. */
  rows(name: string): AsyncGenerator<{ line: number; cells: string[] }>;
  close(): Promise<void>;
}

/** A problem with the bundle as a whole (not a zip, an entry that cannot be read). */
export class BundleError extends Error {}

const openZip = (path: string) =>
  new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false }, (err, zip) =>
      err || !zip ? reject(new BundleError(`not a zip archive (${err?.message ?? 'unreadable'})`)) : resolve(zip),
    ),
  );

async function listEntries(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  const entries = new Map<string, yauzl.Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('/')) {
        const base = entry.fileName.split('/').pop()!;
        if (!entries.has(base)) entries.set(base, entry);
      }
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (err: Error) => reject(new BundleError(`the zip archive is damaged (${err.message})`)));
    zip.readEntry();
  });
  return entries;
}

const entryStream = (zip: yauzl.ZipFile, entry: yauzl.Entry) =>
  new Promise<Readable>((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) =>
      err || !stream ? reject(new BundleError(`${entry.fileName}: ${err?.message}`)) : resolve(stream),
    ),
  );

/** Decodes strictly; the error says which line the bad bytes are on. */
async function* strictUtf8(name: string, bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let line = 1;
  for await (const chunk of bytes) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      // Find the line of the first bad byte within this chunk.
      const lossy = new TextDecoder('utf-8').decode(chunk);
      const before = lossy.slice(0, Math.max(0, lossy.indexOf('\uFFFD')));
      const at = line + (before.match(/\n/g)?.length ?? 0);
      throw new BundleError(`${name} line ${at}: the file is not valid UTF-8 (OneRoster CSV files must be UTF-8)`);
    }
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) line++;
    yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw new BundleError(`${name} line ${line}: the file ends inside a UTF-8 character`);
  }
}

export async function openBundle(source: ByteSource): Promise<Bundle> {
  const dir = await mkdtemp(join(tmpdir(), 'usersync-oneroster-'));
  const path = join(dir, 'bundle.zip');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await pipeline(Readable.from(source), createWriteStream(path, { mode: 0o600 }));
    const zip = await openZip(path);
    const entries = await listEntries(zip);
    return {
      names: new Set(entries.keys()),
      async *rows(name) {
        const entry = entries.get(name);
        if (!entry) throw new BundleError(`${name} is not in the bundle`);
        // Lines are counted here rather than with csv-parse's `info` (which copies an object per row and
        // halves the speed): a row starts on the line after the previous one ended, plus the newlines
        // quoted inside its cells. Empty lines are rows of one empty cell, skipped here.
        const parser = parse({ bom: true, relax_column_count: true });
        const feed = pipeline(Readable.from(strictUtf8(name, await entryStream(zip, entry))), parser).catch(
          (err: unknown) => {
            parser.destroy(err as Error);
          },
        );
        let line = 1;
        try {
          for await (const cells of parser as AsyncIterable<string[]>) {
            const start = line;
            for (const c of cells) for (let i = c.indexOf('\n'); i >= 0; i = c.indexOf('\n', i + 1)) line++;
            line++;
            if (cells.length === 1 && cells[0] === '') continue;
            yield { line: start, cells };
          }
        } catch (err) {
          if (err instanceof BundleError) throw err;
          if (err instanceof CsvError)
            throw new BundleError(
              `${name} line ${String(err.lines ?? '?')}: ${err.message.replace(/^Invalid [^:]*: /, '')}`,
            );
          throw err;
        } finally {
          await feed;
        }
      },
      async close() {
        zip.close();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
