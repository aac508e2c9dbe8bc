// Helpers of the transformer tests: a control file around a username rule, and one record through it.
import { parseControlFile } from '../validation/parse-control-file.js';
import type { ControlFile } from '../validation/validate-control.js';
import { createTransformer } from './transformer.js';

/** Test helper: a control file with a username rule plus the given instructions. */
export function controlWith(instructions: unknown[], extra: Record<string, unknown> = {}): ControlFile {
  const r = parseControlFile(
    JSON.stringify({
      dataImportControlFileVersion: 0,
      model: 'haplo:user-sync',
      files: { people: { read: 'json' } },
      instructions: [
        { source: 'ID', destination: 'user', name: 'username' },
        { source: 'FIRST', destination: 'user', name: 'nameFirst' },
        { source: 'LAST', destination: 'user', name: 'nameLast' },
        { source: 'EMAIL', destination: 'user', name: 'email' },
        ...instructions,
      ],
      ...extra,
    }),
  );
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.controlFile;
}

export const PERSON = { ID: 'JB1', FIRST: 'Joe', LAST: 'Bloggs', EMAIL: 'joe@example.com' };

/** Transforms one record (record number 0) through `instructions`. */
export function run(instructions: unknown[], record: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return createTransformer(controlWith(instructions, extra)).transform({ ...PERSON, ...record }, 0);
}

export const profileOf = (instructions: unknown[], record: Record<string, unknown>, extra = {}) =>
  run(instructions, record, extra).desired?.profile;
