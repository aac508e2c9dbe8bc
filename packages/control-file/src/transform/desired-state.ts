import { createHash } from 'node:crypto';
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
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** SHA-256 (hex) of the canonical JSON: the worker compares this with the stored digest, not raw records. */
export function desiredStateDigest(desired: DesiredUser): string {
  return createHash('sha256').update(canonicalJson(desired)).digest('hex');
}

/** The raw record as JSON, for storing the last record received per user (Haplo's lastUserData). */
export function rawRecordJson(record: unknown): string {
  return JSON.stringify(record) ?? 'null';
}
