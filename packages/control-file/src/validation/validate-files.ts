import iconv from 'iconv-lite';
import { isPlainObject } from '../model/profile-schema.js';
import { READER_NAMES, type ControlFileError, type FileSpec, type ReaderName } from '../model/types.js';
import { propPath } from '../instructions/compile-env.js';

/** Haplo's name rule (reference §1.4) for `files` keys, which are the names files are uploaded under. */
export const FILE_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
/** The upload name of a run's control file (reserved: no `files` key may take it). */
export const CONTROL_FILE_NAME = '_control';

/** True when `name` is a valid upload name (and, when given, at most `maxLength` characters). */
export function isUploadName(name: string, maxLength = Infinity): boolean {
  return name.length <= maxLength && FILE_NAME_PATTERN.test(name);
}

/** Checks `files`: explicit names only (no DEFAULT), Haplo's name pattern, a known reader and sane options. */
export function validateFiles(files: unknown, errors: ControlFileError[]): Record<string, FileSpec> {
  const out: Record<string, FileSpec> = {};
  const fail = (path: string, code: ControlFileError['code'], message: string) =>
    errors.push({ path, message, code, severity: 'error' });
  if (!isPlainObject(files)) {
    fail('$.files', 'BAD_FILES', 'Control file does not have files property');
    return out;
  }
  const names = Object.keys(files);
  if (names.length === 0) fail('$.files', 'BAD_FILES', 'files must list at least one file');
  for (const name of names) {
    const path = propPath('$.files', name);
    if (name === 'DEFAULT') {
      // The user sync decides a run is ready when every named file has arrived, so names must be explicit.
      fail(path, 'BAD_FILES', 'files must name every file explicitly: DEFAULT cannot be used in the user sync');
      continue;
    }
    if (!FILE_NAME_PATTERN.test(name)) {
      fail(path, 'BAD_FILES', `File name ${name} must match ${FILE_NAME_PATTERN.source}`);
      continue;
    }
    if (name === CONTROL_FILE_NAME) {
      fail(path, 'BAD_FILES', `File name ${name} is reserved for the control file`);
      continue;
    }
    const spec = files[name];
    if (!isPlainObject(spec)) {
      fail(path, 'BAD_FILES', `File specification for ${name} must be an object`);
      continue;
    }
    const read = spec.read;
    if (read === undefined) {
      fail(`${path}.read`, 'BAD_READER', `Reader not specified for file ${name}`);
      continue;
    }
    if (typeof read !== 'string' || !READER_NAMES.includes(read as ReaderName)) {
      fail(`${path}.read`, 'BAD_READER', `Unknown reader for file ${name}: ${String(read)}`);
      continue;
    }
    const fileSpec: FileSpec = { read: read as ReaderName };
    if (spec.singleRecord !== undefined) {
      if (typeof spec.singleRecord !== 'boolean')
        fail(`${path}.singleRecord`, 'BAD_READER', 'singleRecord must be true or false');
      else fileSpec.singleRecord = spec.singleRecord;
    }
    if (spec.charset !== undefined) {
      if (typeof spec.charset !== 'string' || !iconv.encodingExists(spec.charset)) {
        fail(`${path}.charset`, 'BAD_READER', `Unknown charset for file ${name}: ${String(spec.charset)}`);
      } else {
        fileSpec.charset = spec.charset;
      }
    }
    if (spec.separator !== undefined) {
      if (typeof spec.separator !== 'string' || spec.separator === '' || /[\r\n"]/.test(spec.separator)) {
        fail(`${path}.separator`, 'BAD_READER', 'separator must be a non-empty string without quotes or line breaks');
      } else {
        fileSpec.separator = spec.separator;
      }
    }
    out[name] = fileSpec;
  }
  return out;
}
