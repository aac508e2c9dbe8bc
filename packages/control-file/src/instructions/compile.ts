import type { Instruction } from '../model/types.js';
import { isPlainObject } from '../model/profile-schema.js';
import { ACTION_REQUIRED_PROPS, ASSIGNING_ACTIONS, FOR_EACH_MESSAGE, NESTED_LISTS } from './actions.js';
import { isString, report, type CompileEnv } from './compile-env.js';
import { compileFlow } from './flow-steps.js';
import type { Step } from './runtime.js';
import { compileField, compileFieldStructured, compileRemoveValues, compileSetValue } from './value-steps.js';

const NOOP: Step = () => {};

/**
 * Checks and compiles an instruction list in one pass. Every problem goes to `env.problems`; the steps
 * are only used when there were none. Validation and the transformer share this, so they cannot disagree.
 */
export function compileInstructions(list: unknown, path: string, env: CompileEnv, inForEach = false): Step[] {
  if (!Array.isArray(list)) {
    report(env, path, 'BAD_INSTRUCTIONS', `'${lastSegment(path)}' property is not an array`);
    return [];
  }
  return list.map((item, i) => compileOne(item, `${path}[${i}]`, env, inForEach));
}

function compileOne(item: unknown, path: string, env: CompileEnv, inForEach: boolean): Step {
  if (!isPlainObject(item)) {
    report(env, path, 'BAD_INSTRUCTIONS', 'Instruction must be an object');
    return NOOP;
  }
  const instr = item as Instruction;
  const action = instr.action === undefined ? 'field' : instr.action;
  if (!isString(action) || !Object.hasOwn(ACTION_REQUIRED_PROPS, action)) {
    report(env, `${path}.action`, 'UNKNOWN_ACTION', `Unknown action in instruction: ${String(action)}`);
    return NOOP;
  }
  const missing = ACTION_REQUIRED_PROPS[action].filter((p) => !Object.hasOwn(instr, p));
  if (missing.length > 0) {
    report(
      env,
      path,
      'MISSING_PROPERTY',
      `Expected property not found in ${action} instruction: ${missing.join(', ')}`,
    );
  }
  if (inForEach && ASSIGNING_ACTIONS.has(action) && instr.multivalue !== true && !destinationMentionsLoad(instr)) {
    report(env, path, 'FOR_EACH_OVERWRITE', FOR_EACH_MESSAGE);
  }
  if (instr.multivalue !== undefined && typeof instr.multivalue !== 'boolean') {
    report(env, `${path}.multivalue`, 'BAD_PROPERTY', 'multivalue must be true or false');
  }
  if (instr.qualifier !== undefined && ASSIGNING_ACTIONS.has(action)) {
    report(env, `${path}.qualifier`, 'UNSUPPORTED', 'Qualifiers are ignored in the haplo:user-sync model', 'warning');
  }
  if (action === 'new' || action === 'load') {
    report(
      env,
      `${path}.action`,
      'FORBIDDEN_ACTION',
      `"${action}" instructions cannot be used in the haplo:user-sync model: the user sync makes the user and profile destinations ready itself`,
    );
    return NOOP;
  }
  if (action === 'set-attribute-group') {
    // Documented by Haplo in 2022 but absent from its 2021 code, and our profile has no attribute groups.
    report(
      env,
      `${path}.action`,
      'UNSUPPORTED',
      'set-attribute-group is not supported: the user sync profile has no attribute groups',
    );
    return NOOP;
  }
  if (missing.length > 0) {
    // Still walk nested lists so their problems are reported too.
    for (const prop of NESTED_LISTS[action] ?? []) {
      if (instr[prop] !== undefined)
        compileInstructions(instr[prop], `${path}.${prop}`, env, inForEach || action === 'for-each');
    }
    return NOOP;
  }
  switch (action) {
    case 'field':
      return compileField(instr, path, env);
    case 'field-structured':
      return compileFieldStructured(instr, path, env);
    case 'set-value':
      return compileSetValue(instr, path, env);
    case 'remove-values':
      return compileRemoveValues(instr, path, env);
    default:
      return compileFlow(action, instr, path, env, (list, p, loop) =>
        compileInstructions(list, p, env, inForEach || loop),
      );
  }
}

// Haplo exempts destinations whose name contains "load" (e.g. load:by-ref) from the for-each rule.
function destinationMentionsLoad(instr: Instruction): boolean {
  return isString(instr.destination) && instr.destination.includes('load');
}

function lastSegment(path: string): string {
  const m = /\.([A-Za-z]+)$/.exec(path);
  return m ? m[1] : path;
}
