import { isPlainObject, defaultProfileSchema, type ProfileSchema } from '../model/profile-schema.js';
import type { ControlFileError, FileSpec, Instruction, MappingSpec } from '../model/types.js';
import { MODEL_ALIASES, USER_SYNC_MODEL_NAME, createUserSyncModel } from '../model/user-sync-model.js';
import { propPath, type CompileEnv } from '../instructions/compile-env.js';
import { compileInstructions } from '../instructions/compile.js';
import { findUsernameRule } from '../transform/username.js';
import { validateFiles } from './validate-files.js';

export const NO_USERNAME_RULE_MESSAGE =
  'No simple rule for extracting username from records. There needs to be a field instruction at the top level (not inside conditionals or loops) for destination:user, name:username';

export interface ValidateOptions {
  profileSchema?: ProfileSchema;
  /** Report a missing username rule (hazard H1) as an error rather than a warning. Default false. */
  requireUsernameRule?: boolean;
}

/** A validated control file: the uploaded JSON plus what the engine read from it. */
export interface ControlFile {
  /** The control file as parsed, for storage and display. */
  readonly json: Record<string, unknown>;
  readonly model: typeof USER_SYNC_MODEL_NAME;
  readonly files: Readonly<Record<string, FileSpec>>;
  /** `files` keys in control-file order: the order records are read in. */
  readonly fileNames: readonly string[];
  readonly instructions: readonly Instruction[];
  readonly mapping: Readonly<Record<string, MappingSpec>>;
  /** False when no top-level field instruction sets user/username (hazard H1): the apply worker must hold. */
  readonly hasUsernameRule: boolean;
  readonly warnings: readonly ControlFileError[];
  readonly profileSchema: ProfileSchema;
}

export interface Validation {
  /** Errors and warnings, in the order Haplo checks things. */
  problems: ControlFileError[];
  controlFile?: ControlFile;
}

/** Validates an already parsed control file, collecting every problem (Haplo stops at the first). */
export function validateControl(json: unknown, opts: ValidateOptions = {}): Validation {
  const problems: ControlFileError[] = [];
  const fail = (path: string, code: ControlFileError['code'], message: string) =>
    problems.push({ path, message, code, severity: 'error' });
  if (!isPlainObject(json) || !Object.hasOwn(json, 'dataImportControlFileVersion')) {
    fail('$', 'NOT_A_CONTROL_FILE', 'Not a control file');
    return { problems };
  }
  if (json.dataImportControlFileVersion !== 0) {
    fail('$.dataImportControlFileVersion', 'BAD_VERSION', 'Bad version of control file, should be 0');
  }
  if (json.model === undefined) {
    fail('$.model', 'BAD_MODEL', 'Control file does not specify model in the model property');
  } else if (typeof json.model !== 'string' || !MODEL_ALIASES.includes(json.model)) {
    fail('$.model', 'BAD_MODEL', `model property in control file must be set to "${USER_SYNC_MODEL_NAME}"`);
  }
  const profileSchema = opts.profileSchema ?? defaultProfileSchema;
  const mapping = validateMappings(json.mapping, problems);
  const env: CompileEnv = { model: createUserSyncModel(profileSchema), mappings: mapping, problems };
  let hasUsernameRule = false;
  if (!Array.isArray(json.instructions)) {
    fail(
      '$.instructions',
      'BAD_INSTRUCTIONS',
      'Control file does not specify processing instructions in the instructions property',
    );
  } else {
    compileInstructions(json.instructions, '$.instructions', env);
    hasUsernameRule = findUsernameRule(json.instructions) !== undefined;
    if (!hasUsernameRule) {
      problems.push({
        path: '$.instructions',
        message: NO_USERNAME_RULE_MESSAGE,
        code: 'NO_USERNAME_RULE',
        severity: opts.requireUsernameRule ? 'error' : 'warning',
      });
    }
  }
  const files = validateFiles(json.files, problems);
  if (json.recordProcessor !== undefined) {
    // Record processors are plugin code in Haplo; there is no way to provide one here.
    fail(
      '$.recordProcessor',
      'UNSUPPORTED',
      `Unknown record processor specified in recordProcessor property: ${String(json.recordProcessor)}`,
    );
  }
  if (problems.some((p) => p.severity === 'error')) return { problems };
  const controlFile: ControlFile = {
    json,
    model: USER_SYNC_MODEL_NAME,
    files,
    fileNames: Object.keys(files),
    instructions: json.instructions as Instruction[],
    mapping,
    hasUsernameRule,
    warnings: problems.filter((p) => p.severity === 'warning'),
    profileSchema,
  };
  return { problems, controlFile };
}

function validateMappings(mapping: unknown, problems: ControlFileError[]): Record<string, MappingSpec> {
  const out: Record<string, MappingSpec> = {};
  if (mapping === undefined) return out;
  const fail = (path: string, message: string) =>
    problems.push({ path, message, code: 'BAD_MAPPING', severity: 'error' });
  if (!isPlainObject(mapping)) {
    fail('$.mapping', "'mapping' property is not an object");
    return out;
  }
  for (const [name, spec] of Object.entries(mapping)) {
    const path = propPath('$.mapping', name);
    if (!isPlainObject(spec)) {
      fail(path, `Mapping ${name} must be an object`);
      continue;
    }
    if (spec.using === 'title') {
      // Title mappings search the object store by title; this model has no object store, only codes.
      fail(
        `${path}.using`,
        `Mapping ${name} uses title mapping, which the user sync cannot do: map values to codes with "using": "behaviour"`,
      );
      continue;
    }
    if (spec.using !== undefined && spec.using !== 'behaviour' && spec.using !== 'code') {
      fail(`${path}.using`, `Mapping ${name} has unknown "using": ${String(spec.using)}`);
      continue;
    }
    if (!isPlainObject(spec.values)) {
      fail(`${path}.values`, `Mapping ${name} does not specify values`);
      continue;
    }
    const bad = Object.entries(spec.values).filter(([, v]) => typeof v !== 'string' || v === '');
    for (const [key] of bad)
      fail(propPath(`${path}.values`, key), `Mapping ${name} must map ${key} to a code (a non-empty string)`);
    if (bad.length > 0) continue;
    out[name] = { values: spec.values as Record<string, string> };
  }
  return out;
}
