import { ValidationError } from '@usersync/platform';
import {
  expectedFiles,
  formatControlFileError,
  parseControlFile,
  type ControlFile,
  type ControlFileError,
  type ProfileSchema,
} from '@usersync/control-file';
import { profileSchemaOf, type SyncConfig } from '@usersync/run-state';
import { IngestCodes } from './messages.js';

/** A `_control` that passed validation, with the file names a run needs. */
export interface CheckedControlFile {
  controlFile: ControlFile;
  expectedFiles: string[];
}

const MODEL_MESSAGE = 'model property in control file must be set to "haplo:user-sync"';

/**
 * The 400 body for a rejected control file, in Haplo's three forms (reference §1.4): the JSON
 * message alone, the model message alone, or the list of validation errors (all of them, with paths).
 */
export function controlFileErrorBody(errors: readonly ControlFileError[]): string {
  if (errors.length === 1 && errors[0]!.code === 'INVALID_JSON') return errors[0]!.message;
  if (errors.length > 0 && errors.every((e) => e.message === MODEL_MESSAGE)) return MODEL_MESSAGE;
  return `File named _control is not a valid control file:\n${errors.map((e) => `  ${formatControlFileError(e)}`).join('\n')}`;
}

/**
 * The profile schema control files are checked against: the configured one, else (none, or an invalid
 * stored one) the engine's default, so an upload is never refused for the configuration's fault.
 */
export function configuredProfileSchema(config: Pick<SyncConfig, 'profileAttributes'>): ProfileSchema | undefined {
  const schema = profileSchemaOf(config);
  return schema.ok ? schema.schema : undefined;
}

/**
 * Validates an uploaded control file, requiring a top-level username rule (hazard H1). Throws a
 * ValidationError whose message is the 400 body and whose details are `{path, message}` per error.
 */
export function checkControlFile(
  content: string | Uint8Array,
  config: Pick<SyncConfig, 'profileAttributes'> = { profileAttributes: [] },
): CheckedControlFile {
  const result = parseControlFile(content, {
    requireUsernameRule: true,
    profileSchema: configuredProfileSchema(config),
  });
  if (!result.ok) {
    throw new ValidationError(
      IngestCodes.invalidControlFile,
      controlFileErrorBody(result.errors),
      result.errors.map((e) => ({ path: e.path, message: e.message })),
    );
  }
  return { controlFile: result.controlFile, expectedFiles: expectedFiles(result.controlFile) };
}
