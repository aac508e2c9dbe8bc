/** Opening a run's inputs from the object store: the control file (small, read whole) and data files (streamed). */
import type { Readable } from 'node:stream';
import type { ObjectStore } from '@usersync/platform';
import {
  CONTROL_FILE_NAME,
  formatControlFileError,
  parseControlFile,
  type ControlFile,
  type FileSources,
  type ProfileSchema,
} from '@usersync/control-file';
import { RunInputError } from '../domain/run-failure.js';
import { exceptionLine, noteLine } from '../domain/log-lines.js';
import type { RunFileRef as RunFile } from '@usersync/run-state';

const MAX_CONTROL_BYTES = 16 * 1024 * 1024;

async function readAll(stream: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new RunInputError(`${what} is larger than ${limit} bytes`, [exceptionLine(`${what} is too large`)]);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Loads and validates the run's `_control`; a bad one fails the run with Haplo's `Errors in control file:`.
 * Gives its content digest too (part of the run's transform fingerprint).
 */
export async function loadControlFile(
  objects: ObjectStore,
  files: readonly RunFile[],
  profileSchema: ProfileSchema,
): Promise<{ controlFile: ControlFile; digest: string }> {
  const entry = files.find((f) => f.name === CONTROL_FILE_NAME);
  if (!entry) {
    const message = 'Logic error: sync run without a control file';
    throw new RunInputError(message, [exceptionLine(message)]);
  }
  const text = await readAll(await objects.get(entry.digest), MAX_CONTROL_BYTES, 'The control file');
  const parsed = parseControlFile(text, { profileSchema });
  if (parsed.ok) return { controlFile: parsed.controlFile, digest: entry.digest };
  const lines = [
    exceptionLine('Errors in control file:'),
    ...parsed.errors.map((e) => ({ ...noteLine(`  ${formatControlFileError(e)}`, null), level: 'error' as const })),
  ];
  throw new RunInputError(`Errors in control file: ${parsed.errors.map(formatControlFileError).join('; ')}`, lines);
}

/** The run's data files by name, each opened from the object store only when the engine reaches it. */
export function dataFileSources(objects: ObjectStore, files: readonly RunFile[]): FileSources {
  const byName = new Map(files.map((f) => [f.name, f]));
  return (name: string) => {
    const file = byName.get(name);
    return file ? () => objects.get(file.digest) : undefined;
  };
}
