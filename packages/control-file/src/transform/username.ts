import { isPlainObject } from '../model/profile-schema.js';
import type { Instruction } from '../model/types.js';
import { converterFor } from '../instructions/value-steps.js';
import type { CompileEnv } from '../instructions/compile-env.js';
import { isPresent, readSource } from '../instructions/runtime.js';

/**
 * Haplo's username extractor (reference §3.1): the first *top-level* `field` instruction for
 * user/username. Rules inside conditionals or loops do not count, because the engine must know the
 * username before it runs the instructions.
 */
export function findUsernameRule(instructions: readonly unknown[]): Instruction | undefined {
  for (const item of instructions) {
    if (!isPlainObject(item)) continue;
    const action = item.action ?? 'field';
    if (
      action === 'field' &&
      item.destination === 'user' &&
      item.name === 'username' &&
      typeof item.source === 'string'
    ) {
      return item as Instruction;
    }
  }
  return undefined;
}

/** Returns the lowercased username of a record, or undefined when it has none (falsy after conversion). */
export type UsernameExtractor = (record: unknown) => string | undefined;

export function createUsernameExtractor(rule: Instruction, env: CompileEnv): UsernameExtractor {
  const source = rule.source as string;
  const convert = converterFor(rule, '$.instructions', env, 'text', `input field ${source}`);
  const ignore = () => {}; // conversion errors are logged once, when the instructions run
  return (record) => {
    const v = readSource(record, source);
    if (!isPresent(v) || !convert) return undefined;
    const out = convert(v, ignore);
    if (!out) return undefined;
    return String(out).toLowerCase();
  };
}
