import { buildConverter, type Convert } from '../conversion/converter.js';
import type { Instruction, JsonValue } from '../model/types.js';
import { structuredTypeOf } from '../model/user-sync-model.js';
import { isString, report, resolveTarget, type CompileEnv } from './compile-env.js';
import { isPresent, readSource, type Step } from './runtime.js';
import { makeHasValue, makeRemover, makeWriter } from './targets.js';

const NOOP: Step = () => {};

/** `field`: copy `context[source]` through the value pipeline; falsy input other than 0 is skipped (H5). */
export function compileField(instr: Instruction, path: string, env: CompileEnv): Step {
  const target = resolveTarget(instr, path, 'field', env, true);
  const source = instr.source;
  if (!isString(source)) report(env, `${path}.source`, 'BAD_PROPERTY', 'source in field instruction must be a string');
  if (!target || !isString(source)) return NOOP;
  const convert = converterFor(instr, path, env, target.def.type, `input field ${source}`);
  if (!convert) return NOOP;
  const write = makeWriter(target.dest, target.def, instr.multivalue === true);
  return (context, state) => {
    const v = readSource(context, source);
    if (!isPresent(v)) return;
    const out = convert(v, state.log);
    if (out !== undefined) write(state, out);
  };
}

/** `set-value`: the constant is converted once, here, so a bad constant is a validation error, not a per-record one. */
export function compileSetValue(instr: Instruction, path: string, env: CompileEnv): Step {
  const target = resolveTarget(instr, path, 'set-value', env, true);
  if (!target) return NOOP;
  const src = `set value ${target.dest.name}/${target.def.name}`;
  const convert = converterFor(instr, path, env, target.def.type, src);
  if (!convert) return NOOP;
  const errors: string[] = [];
  const value = convert(instr.value, (m) => errors.push(m));
  for (const message of errors) report(env, `${path}.value`, 'BAD_CONVERSION', message);
  if (value === undefined) return NOOP;
  const write = makeWriter(target.dest, target.def, instr.multivalue === true);
  // Each write gets its own copy, so a structured constant is never shared between records.
  const isObject = typeof value === 'object' && value !== null;
  return (_context, state) => write(state, isObject ? (structuredClone(value) as JsonValue) : value);
}

/** `field-structured`: writes the value assembled in a pseudo-destination, then clears that pseudo-destination. */
export function compileFieldStructured(instr: Instruction, path: string, env: CompileEnv): Step {
  const target = resolveTarget(instr, path, 'field-structured', env, false);
  const pseudo = instr.structured;
  const structuredType = isString(pseudo) ? structuredTypeOf(pseudo) : undefined;
  if (!structuredType) {
    report(
      env,
      `${path}.structured`,
      'UNKNOWN_DESTINATION',
      `Unknown structured value destination in field-structured: ${String(pseudo)}`,
    );
  }
  if (!target || !structuredType || !isString(pseudo)) return NOOP;
  if (target.def.type !== structuredType) {
    report(
      env,
      `${path}.name`,
      'BAD_CONVERSION',
      `Couldn't create value transformer for field-structured ${target.dest.name}/${target.def.name}: it has type ${target.def.type}, not ${structuredType}`,
    );
    return NOOP;
  }
  const convert = converterFor(instr, path, env, target.def.type, `structured input field ${pseudo}`);
  if (!convert) return NOOP;
  const write = makeWriter(target.dest, target.def, instr.multivalue === true);
  return (_context, state) => {
    const assembled = state.pseudo[pseudo];
    if (!assembled) return;
    delete state.pseudo[pseudo];
    const out = convert(assembled, state.log);
    if (out !== undefined) write(state, out);
  };
}

export function compileRemoveValues(instr: Instruction, path: string, env: CompileEnv): Step {
  const target = resolveTarget(instr, path, 'remove-values', env, true);
  if (!target) return NOOP;
  const remove = makeRemover(target.dest, target.def.name);
  return (_context, state) => remove(state);
}

export function compileHasValue(instr: Instruction, path: string, env: CompileEnv) {
  const target = resolveTarget(instr, path, 'if-has-value', env, true);
  return target ? makeHasValue(target.dest, target.def.name) : undefined;
}

export function converterFor(
  instr: Instruction,
  path: string,
  env: CompileEnv,
  type: Parameters<typeof buildConverter>[0]['type'],
  src: string,
): Convert | undefined {
  const built = buildConverter({ instruction: instr, path, type, src, mappings: env.mappings });
  env.problems.push(...built.problems);
  return built.convert;
}
