import type { JsonValue } from '../model/types.js';
import type { Log } from '../conversion/structured.js';

/** The targets and log of one record while its instructions run. Fresh for every record. */
export interface RecordState {
  user: Record<string, JsonValue>;
  /** `undefined` until something makes the dependent `user:tags` destination ready. */
  tags: Record<string, string> | undefined;
  profile: Record<string, JsonValue[]>;
  pseudo: Record<string, Record<string, JsonValue>>;
  errors: string[];
  log: Log;
}

/** One compiled instruction: runs against the current context (the record, or a within/for-each element). */
export type Step = (context: unknown, state: RecordState) => void;

/** Thrown by abort-record and assert-destination to stop the record; never escapes the transformer. */
export class RecordAborted {
  readonly aborted = true;
}

export const RECORD_ABORTED = new RecordAborted();

export function newRecordState(): RecordState {
  const errors: string[] = [];
  return { user: {}, tags: undefined, profile: {}, pseudo: {}, errors, log: (m) => errors.push(m) };
}

/** `context[key]` for own properties only, so `constructor` or `__proto__` in a source never reach the prototype. */
export function readSource(context: unknown, key: string): unknown {
  if (typeof context !== 'object' || context === null) return undefined;
  return Object.hasOwn(context, key) ? (context as Record<string, unknown>)[key] : undefined;
}

/** Haplo's truthiness test for input values: falsy values are absent, except 0 (hazard H5). */
export function isPresent(v: unknown): boolean {
  return Boolean(v) || v === 0;
}

export function runSteps(steps: Step[], context: unknown, state: RecordState): void {
  for (let i = 0; i < steps.length; i++) steps[i](context, state);
}
