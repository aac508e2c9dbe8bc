import type { ControlFileError } from '../model/types.js';
import { parseJsonText } from './json-text.js';
import { CONTROL_FILE_NAME } from './validate-files.js';
import { validateControl, type ControlFile, type ValidateOptions } from './validate-control.js';

export type ParseControlFileResult =
  { ok: true; controlFile: ControlFile } | { ok: false; errors: ControlFileError[]; warnings: ControlFileError[] };

/**
 * Parses and validates an uploaded `_control` (text or raw bytes, which must be UTF-8). On failure every
 * error is returned, each with a JSON path; warnings (e.g. a missing username rule) ride on the control file.
 */
export function parseControlFile(text: string | Uint8Array, opts: ValidateOptions = {}): ParseControlFileResult {
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const error: ControlFileError = {
      path: '$',
      message: `Control file was not valid JSON: ${parsed.message}`,
      code: 'INVALID_JSON',
      severity: 'error',
    };
    return { ok: false, errors: [error], warnings: [] };
  }
  const { problems, controlFile } = validateControl(parsed.value, opts);
  if (controlFile) return { ok: true, controlFile };
  return {
    ok: false,
    errors: problems.filter((p) => p.severity === 'error'),
    warnings: problems.filter((p) => p.severity === 'warning'),
  };
}

/** The file names a run needs before it is ready: the sorted `files` keys plus `_control` (reference §1.4). */
export function expectedFiles(controlFile: ControlFile): string[] {
  return [...controlFile.fileNames, CONTROL_FILE_NAME].sort();
}

/** `$.instructions[3].destination: Unknown destination in field: x`, the form the upload API returns. */
export function formatControlFileError(error: ControlFileError): string {
  return `${error.path}: ${error.message}`;
}
