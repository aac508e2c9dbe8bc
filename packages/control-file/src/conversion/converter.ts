import type { ControlFileError, Instruction, JsonValue, MappingSpec } from '../model/types.js';
import { isPlainObject } from '../model/profile-schema.js';
import type { DataType } from '../model/user-sync-model.js';
import { ConversionSetupError, createTypeConversion } from './data-types.js';
import { getFilter, type Filter } from './filters.js';
import type { Log } from './structured.js';

/** The whole value pipeline of one instruction (reference §2.4); `undefined` means the value is dropped. */
export type Convert = (value: unknown, log: Log) => JsonValue | undefined;

export interface ConverterSpec {
  instruction: Instruction;
  /** JSON path of the instruction, for problems. */
  path: string;
  type: DataType;
  /** `input field X`, `set value dest/name` or `structured input field value:…`, as in Haplo's messages. */
  src: string;
  mappings: Record<string, MappingSpec>;
}

export interface BuiltConverter {
  convert?: Convert;
  problems: ControlFileError[];
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Order: mapInputValue/mapInputValueDefault → filters → refMapping → data type. Every problem with the
 * instruction's conversion options is returned, so validation can report them all at once.
 */
export function buildConverter(spec: ConverterSpec): BuiltConverter {
  const { instruction: instr, path, src } = spec;
  const problems: ControlFileError[] = [];
  const problem = (prop: string, code: ControlFileError['code'], message: string) =>
    problems.push({ path: `${path}.${prop}`, message, code, severity: 'error' });
  const steps: Convert[] = [];

  if (instr.mapInputValue !== undefined) {
    if (!isPlainObject(instr.mapInputValue)) {
      problem('mapInputValue', 'BAD_PROPERTY', "'mapInputValue' property is not an object");
    } else {
      const table = instr.mapInputValue;
      const hasDefault = Object.hasOwn(instr, 'mapInputValueDefault');
      const fallback = instr.mapInputValueDefault as JsonValue;
      steps.push((v) => {
        const key = String(v);
        if (Object.hasOwn(table, key)) return table[key] as JsonValue;
        // A miss without a default passes the value through, which Haplo documents as handy for small fixes.
        return hasDefault ? fallback : (v as JsonValue);
      });
    }
  }

  if (instr.filters !== undefined) {
    if (!Array.isArray(instr.filters)) {
      problem('filters', 'BAD_PROPERTY', "'filters' property is not an array");
    } else {
      const filters: Filter[] = [];
      instr.filters.forEach((name: unknown, i: number) => {
        const f = typeof name === 'string' ? getFilter(name) : undefined;
        if (f) filters.push(f);
        else
          problems.push({
            path: `${path}.filters[${i}]`,
            message: `Filter ${show(name)} is not available.`,
            code: 'UNKNOWN_FILTER',
            severity: 'error',
          });
      });
      steps.push((v) => filters.reduce<unknown>((acc, f) => f(acc), v) as JsonValue);
    }
  }

  if (instr.refMapping !== undefined) {
    const name = instr.refMapping;
    const mapping = typeof name === 'string' && Object.hasOwn(spec.mappings, name) ? spec.mappings[name] : undefined;
    if (!mapping) {
      problem('refMapping', 'UNKNOWN_MAPPING', `Unknown mapping: ${show(name)}`);
    } else if (spec.type !== 'text' && spec.type !== 'code') {
      problem(
        'refMapping',
        'BAD_MAPPING',
        `refMapping maps to codes, so it needs a text or code name, not ${spec.type}`,
      );
    } else {
      const values = mapping.values;
      steps.push((v, log) => {
        const key = String(v);
        if (Object.hasOwn(values, key)) return values[key];
        log(`Value in input data cannot be mapped for ${src}: ${show(v)}`);
        return undefined;
      });
    }
  }

  try {
    steps.push(createTypeConversion(spec.type, instr, src));
  } catch (err) {
    if (!(err instanceof ConversionSetupError)) throw err;
    problem(err.property, 'BAD_CONVERSION', err.message);
  }

  if (problems.length > 0) return { problems };
  return { convert: chain(steps), problems };
}

function chain(steps: Convert[]): Convert {
  if (steps.length === 1) return steps[0];
  return (value, log) => {
    let v: unknown = value;
    for (const step of steps) {
      v = step(v, log);
      if (v === undefined) return undefined;
    }
    return v as JsonValue;
  };
}
