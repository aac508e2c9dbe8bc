import type { Instruction } from '../model/types.js';
import { isString, report, type CompileEnv, type CompileList } from './compile-env.js';
import { RECORD_ABORTED, isPresent, readSource, runSteps, type Step } from './runtime.js';
import { compileHasValue } from './value-steps.js';

const NOOP: Step = () => {};
const NEEDS_SOURCE = new Set(['if-exists', 'if-value-one-of', 'within', 'for-each']);

/** Conditionals, loops and record-control instructions. `nested` compiles a list (true = inside a for-each). */
export function compileFlow(
  action: string,
  instr: Instruction,
  path: string,
  env: CompileEnv,
  nested: CompileList,
): Step {
  const source = instr.source;
  if (NEEDS_SOURCE.has(action) && !isString(source))
    report(env, `${path}.source`, 'BAD_PROPERTY', `source in ${action} instruction must be a string`);
  const key = isString(source) ? source : '';
  const branches = () => {
    const then = instr.then === undefined ? [] : nested(instr.then, `${path}.then`, false);
    const otherwise = instr.else === undefined ? [] : nested(instr.else, `${path}.else`, false);
    return { then, otherwise };
  };
  switch (action) {
    case 'if-exists': {
      const { then, otherwise } = branches();
      return (ctx, s) => {
        const ok = isPresent(readSource(ctx, key));
        runSteps(ok ? then : otherwise, ctx, s);
      };
    }
    case 'if-value-one-of': {
      if (instr.values !== undefined && !Array.isArray(instr.values)) {
        report(env, `${path}.values`, 'BAD_PROPERTY', "'values' property is not an array");
      }
      const values: unknown[] = Array.isArray(instr.values) ? instr.values : [];
      const { then, otherwise } = branches();
      return (ctx, s) => {
        // Strict equality, as Haplo's indexOf: the number 1 is not one of ["1"].
        const hit =
          typeof ctx === 'object' &&
          ctx !== null &&
          Object.hasOwn(ctx, key) &&
          values.indexOf(readSource(ctx, key)) !== -1;
        runSteps(hit ? then : otherwise, ctx, s);
      };
    }
    case 'if-has-value': {
      const hasValue = compileHasValue(instr, path, env);
      const { then, otherwise } = branches();
      if (!hasValue) return NOOP;
      return (ctx, s) => runSteps(hasValue(s) ? then : otherwise, ctx, s);
    }
    case 'within': {
      const steps = instr.instructions === undefined ? [] : nested(instr.instructions, `${path}.instructions`, false);
      return (ctx, s) => {
        const inner = readSource(ctx, key);
        if (inner) runSteps(steps, inner, s);
      };
    }
    case 'for-each': {
      const steps = instr.instructions === undefined ? [] : nested(instr.instructions, `${path}.instructions`, true);
      if (instr.wrapValues !== undefined && typeof instr.wrapValues !== 'boolean') {
        report(env, `${path}.wrapValues`, 'BAD_PROPERTY', 'wrapValues must be true or false');
      }
      const wrap = instr.wrapValues === true;
      return (ctx, s) => {
        const coll = readSource(ctx, key);
        if (!coll || typeof coll !== 'object') return;
        const items = Array.isArray(coll) ? coll : Object.values(coll);
        for (const item of items) runSteps(steps, wrap ? { value: item } : item, s);
      };
    }
    case 'assert-destination':
      return compileAssert(instr, path, env);
    case 'abort-record':
    case 'log-error': {
      const message = instr.message;
      if (!isString(message)) {
        report(env, `${path}.message`, 'BAD_PROPERTY', `message in ${action} instruction must be a string`);
        return NOOP;
      }
      if (action === 'log-error') return (_ctx, s) => s.log(message);
      return (_ctx, s) => {
        s.log(message);
        throw RECORD_ABORTED;
      };
    }
  }
  return NOOP;
}

function compileAssert(instr: Instruction, path: string, env: CompileEnv): Step {
  const destName = instr.destination;
  const dest = isString(destName) ? env.model.destinations.get(destName) : undefined;
  if (!dest) {
    report(
      env,
      `${path}.destination`,
      'UNKNOWN_DESTINATION',
      `Unknown destination in assert-destination: ${String(destName)}`,
    );
    return NOOP;
  }
  if (!dest.dependent) {
    report(
      env,
      `${path}.destination`,
      'BAD_PROPERTY',
      `Can only use dependent destinations in assert-destination: ${dest.name}`,
    );
    return NOOP;
  }
  if (typeof instr.exists !== 'boolean') {
    report(env, `${path}.exists`, 'BAD_PROPERTY', 'exists in assert-destination instruction must be true or false');
    return NOOP;
  }
  const expected = instr.exists;
  const message = `assert-destination failed: ${dest.name}`;
  return (_ctx, s) => {
    if ((s.tags !== undefined) !== expected) {
      s.log(message);
      throw RECORD_ABORTED;
    }
  };
}
