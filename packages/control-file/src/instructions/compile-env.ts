import type { ControlFileError, ControlFileErrorCode, Instruction, MappingSpec } from '../model/types.js';
import { USER_TAGS, lookupName, type Destination, type NameDef, type UserSyncModel } from '../model/user-sync-model.js';
import type { Step } from './runtime.js';

/** What compiling needs, and where it reports problems (all of them: validation never stops at the first). */
export interface CompileEnv {
  model: UserSyncModel;
  mappings: Record<string, MappingSpec>;
  problems: ControlFileError[];
}

/** Compiles a nested instruction list; `inForEach` carries the for-each overwrite rule down. */
export type CompileList = (list: unknown, path: string, inForEach: boolean) => Step[];

export function report(
  env: CompileEnv,
  path: string,
  code: ControlFileErrorCode,
  message: string,
  severity: 'error' | 'warning' = 'error',
): void {
  env.problems.push({ path, message, code, severity });
}

export function isString(v: unknown): v is string {
  return typeof v === 'string';
}

/** Resolves `destination` and `name` of an instruction against the model, reporting Haplo's messages. */
export function resolveTarget(
  instr: Instruction,
  path: string,
  action: string,
  env: CompileEnv,
  allowPseudo: boolean,
): { dest: Destination; def: NameDef } | undefined {
  const destName = instr.destination;
  const name = instr.name;
  if (!isString(destName)) {
    report(env, `${path}.destination`, 'BAD_PROPERTY', `destination in ${action} instruction must be a string`);
    return undefined;
  }
  const dest = env.model.destinations.get(destName);
  if (!dest || (dest.pseudo && !allowPseudo)) {
    report(env, `${path}.destination`, 'UNKNOWN_DESTINATION', `Unknown destination in ${action}: ${destName}`);
    return undefined;
  }
  if (!isString(name)) {
    report(env, `${path}.name`, 'BAD_PROPERTY', `name in ${action} instruction must be a string`);
    return undefined;
  }
  if (dest.name === USER_TAGS && (name === 'username' || name === '')) {
    // Haplo throws at model setup for a username tag: the engine always sets it to the user's username.
    report(
      env,
      `${path}.name`,
      'UNKNOWN_NAME',
      `Unknown name in ${action} ${name} for destination ${destName}: the username tag is always the user's username`,
    );
    return undefined;
  }
  const def = lookupName(dest, name);
  if (!def) {
    report(env, `${path}.name`, 'UNKNOWN_NAME', `Unknown name in ${action} ${name} for destination ${destName}`);
    return undefined;
  }
  return { dest, def };
}

/** `$.files.people`, or `$.files["odd name"]` when the key is not a plain identifier. */
export function propPath(base: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}
