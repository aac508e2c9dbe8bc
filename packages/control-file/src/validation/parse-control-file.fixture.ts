// Helpers of the control-file validation tests.
import { parseControlFile } from './parse-control-file.js';

export const base = (over: Record<string, unknown> = {}) => ({
  dataImportControlFileVersion: 0,
  model: 'haplo:user-sync',
  files: { people: { read: 'json' } },
  instructions: [
    { source: 'ID', destination: 'user', name: 'username' },
    { source: 'FIRST', destination: 'user', name: 'nameFirst' },
  ],
  ...over,
});

export const errorsOf = (json: unknown, opts = {}) => {
  const r = parseControlFile(typeof json === 'string' ? json : JSON.stringify(json), opts);
  return r.ok ? [] : r.errors.map((e) => ({ path: e.path, message: e.message }));
};

export const withInstructions = (...instructions: unknown[]) =>
  base({ instructions: [{ source: 'ID', destination: 'user', name: 'username' }, ...instructions] });
