import { ControlFileEngineError } from '../errors.js';
import type { DesiredUser } from '../model/types.js';
import { createUserSyncModel, USER } from '../model/user-sync-model.js';
import type { CompileEnv } from '../instructions/compile-env.js';
import { compileInstructions } from '../instructions/compile.js';
import { RECORD_ABORTED, newRecordState, runSteps, type RecordState } from '../instructions/runtime.js';
import { NO_USERNAME_RULE_MESSAGE, type ControlFile } from '../validation/validate-control.js';
import { buildDesiredUser, rawRecordJson } from './desired-state.js';
import { createUsernameExtractor, findUsernameRule, type UsernameExtractor } from './username.js';

export interface TransformResult {
  /** Lowercased username, or undefined when the record has none. */
  username?: string;
  /** Present only when the record is complete. */
  desired?: DesiredUser;
  /** Haplo-format messages; instruction errors end with ` (record N, user X)`. */
  errors: string[];
  /** False when required values are missing, or abort-record / assert-destination stopped the record. */
  complete: boolean;
}

export interface Transformer {
  transform(record: unknown, recordNumber: number): TransformResult;
  /** The username extractor alone (cheap): for duplicate checks before transforming. */
  usernameOf(record: unknown): string | undefined;
  /** Transform with a username already extracted by `usernameOf`. */
  transformWithUsername(record: unknown, recordNumber: number, username: string): TransformResult;
}

/** Names of `user` that must be set for a record to be complete, in Haplo's order. */
const REQUIRED_USER_NAMES = ['username', 'nameFirst', 'nameLast', 'email'];

/**
 * Compiles a validated control file into a record transformer. Throws `ControlFileEngineError` with code
 * NO_USERNAME_RULE when there is no top-level username rule: Haplo processes no record then (hazard H1).
 */
export function createTransformer(controlFile: ControlFile): Transformer {
  const env: CompileEnv = {
    model: createUserSyncModel(controlFile.profileSchema),
    mappings: { ...controlFile.mapping },
    problems: [],
  };
  const steps = compileInstructions(controlFile.instructions, '$.instructions', env);
  const rule = findUsernameRule(controlFile.instructions);
  if (!rule) throw new ControlFileEngineError('NO_USERNAME_RULE', NO_USERNAME_RULE_MESSAGE);
  const usernameOf: UsernameExtractor = createUsernameExtractor(rule, env);
  const errors = env.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const list = errors.map((e) => `  ${e.path}: ${e.message}`).join('\n');
    throw new ControlFileEngineError('CONTROL_FILE_INVALID', `Errors in control file:\n${list}`);
  }

  const transformWithUsername = (record: unknown, recordNumber: number, username: string): TransformResult => {
    const state = newRecordState();
    let aborted = false;
    try {
      runSteps(steps, record, state);
    } catch (err) {
      if (err !== RECORD_ABORTED) throw err;
      aborted = true;
    }
    if (!aborted) {
      const missing = missingUserNames(state.user);
      if (missing !== undefined) state.log(`Missing values in ${USER}: ${missing}`);
      aborted = missing !== undefined;
    }
    const result: TransformResult = {
      username,
      errors: withSuffix(state.errors, recordNumber, username),
      complete: !aborted,
    };
    if (!aborted) result.desired = buildDesiredUser(username, state);
    return result;
  };

  return {
    usernameOf,
    transformWithUsername,
    transform(record, recordNumber) {
      const username = usernameOf(record);
      if (username === undefined) {
        return { errors: [`No username in record ${recordNumber}: ${rawRecordJson(record)}`], complete: false };
      }
      return transformWithUsername(record, recordNumber, username);
    },
  };
}

/** `username, email`: the required names a record left unset, or undefined (the usual case, without allocating). */
function missingUserNames(user: RecordState['user']): string | undefined {
  let missing: string | undefined;
  for (const name of REQUIRED_USER_NAMES) {
    if (user[name] === undefined) missing = missing === undefined ? name : `${missing}, ${name}`;
  }
  return missing;
}

/** Instruction errors end with ` (record N, user X)`. `errors` is the record's own array, so it is updated in place. */
function withSuffix(errors: string[], recordNumber: number, username: string): string[] {
  if (errors.length === 0) return errors;
  const suffix = ` (record ${recordNumber}, user ${username})`;
  for (let i = 0; i < errors.length; i++) errors[i] += suffix;
  return errors;
}
