import type { JsonValue } from '../model/types.js';
import { USER, USER_TAGS, type Destination, type NameDef } from '../model/user-sync-model.js';
import type { RecordState } from './runtime.js';

export type Writer = (state: RecordState, value: JsonValue) => void;

/**
 * Write semantics of reference §2.3: dictionary names replace, multi-value dictionary names append with
 * `multivalue: true` and are replaced by `[v]` without it; profile attributes append only when both the
 * schema and the instruction say multivalue, otherwise the value replaces all values.
 */
export function makeWriter(dest: Destination, def: NameDef, multivalue: boolean): Writer {
  const name = def.name;
  const append = def.multivalue && multivalue;
  if (dest.name === USER) {
    if (!def.multivalue) return (s, v) => void (s.user[name] = v);
    return (s, v) => {
      const cur = s.user[name];
      if (append && Array.isArray(cur)) cur.push(v);
      else s.user[name] = [v];
    };
  }
  if (dest.name === USER_TAGS) {
    return (s, v) => void ((s.tags ??= {})[name] = typeof v === 'string' ? v : JSON.stringify(v));
  }
  if (dest.kind === 'profile') {
    return (s, v) => {
      const cur = s.profile[name];
      if (append && cur) cur.push(v);
      else s.profile[name] = [v];
    };
  }
  const pseudo = dest.name;
  return (s, v) => void ((s.pseudo[pseudo] ??= {})[name] = v);
}

export function makeRemover(dest: Destination, name: string): (state: RecordState) => void {
  if (dest.name === USER) return (s) => void delete s.user[name];
  // Loading a dependent destination makes it ready, as Haplo's remove-values loads the target first.
  if (dest.name === USER_TAGS) return (s) => void delete (s.tags ??= {})[name];
  if (dest.kind === 'profile') return (s) => void delete s.profile[name];
  return (s) => void delete s.pseudo[dest.name]?.[name];
}

export function makeHasValue(dest: Destination, name: string): (state: RecordState) => boolean {
  const present = (v: JsonValue | undefined) => v !== undefined && !(Array.isArray(v) && v.length === 0);
  if (dest.name === USER) return (s) => present(s.user[name]);
  if (dest.name === USER_TAGS) return (s) => s.tags?.[name] !== undefined;
  if (dest.kind === 'profile') return (s) => (s.profile[name]?.length ?? 0) > 0;
  return (s) => present(s.pseudo[dest.name]?.[name]);
}
