import { hash } from 'node:crypto';
import type { DesiredUser, JsonValue } from '../model/types.js';
import type { RecordState } from '../instructions/runtime.js';

/** Builds the desired state from a completed record's targets. */
export function buildDesiredUser(username: string, state: RecordState): DesiredUser {
  const { user } = state;
  const groups = Array.isArray(user.groups) ? user.groups.filter((g): g is string => typeof g === 'string') : [];
  const profile: Record<string, JsonValue[]> = {};
  for (const [code, values] of Object.entries(state.profile)) {
    if (values.length > 0) profile[code] = values;
  }
  const desired: DesiredUser = {
    username,
    nameFirst: String(user.nameFirst),
    nameLast: String(user.nameLast),
    email: String(user.email),
    groups: [...new Set(groups)].sort(),
    tags: state.tags ? { ...state.tags } : {},
    profile,
  };
  if (typeof user.title === 'string' && user.title !== '') desired.title = user.title;
  return desired;
}

/** JSON with object keys sorted at every level, so equal states always give equal text. */
export function canonicalJson(value: unknown): string {
  // Hot path (once per record per run): plain loops and string appends instead of map/filter/join.
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (i > 0) out += ',';
      out += v === undefined ? 'null' : canonicalJson(v);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** SHA-256 (hex) of the canonical JSON: the worker compares this with the stored digest, not raw records. */
export function desiredStateDigest(desired: DesiredUser): string {
  return hash('sha256', canonicalJson(desired), 'hex');
}

/** The raw record as JSON, for storing the last record received per user (Haplo's lastUserData). */
export function rawRecordJson(record: unknown): string {
  return JSON.stringify(record) ?? 'null';
}
