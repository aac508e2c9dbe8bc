import { hash } from 'node:crypto';
import type { DesiredUser, JsonValue } from '../model/types.js';
import type { RecordState } from '../instructions/runtime.js';

/**
 * Builds the desired state from a completed record's targets. The state is fresh for every record and
 * dropped afterwards, so its tags, profile and lists are handed over rather than copied.
 */
export function buildDesiredUser(username: string, state: RecordState): DesiredUser {
  const { user } = state;
  const desired: DesiredUser = {
    username,
    nameFirst: String(user.nameFirst),
    nameLast: String(user.nameLast),
    email: String(user.email),
    groups: Array.isArray(user.groups) ? sortedGroups(user.groups) : [],
    tags: state.tags ?? {},
    profile: withoutEmptyLists(state.profile),
  };
  if (typeof user.title === 'string' && user.title !== '') desired.title = user.title;
  return desired;
}

/** The string values, sorted and unique. Sorts `values` in place when all are strings (0 or 1 mostly). */
function sortedGroups(values: JsonValue[]): string[] {
  let groups = values as string[];
  for (const v of values) {
    if (typeof v !== 'string') {
      groups = values.filter((g): g is string => typeof g === 'string');
      break;
    }
  }
  if (groups.length < 2) return groups;
  groups.sort();
  let kept = 1;
  for (let i = 1; i < groups.length; i++) if (groups[i] !== groups[kept - 1]) groups[kept++] = groups[i];
  groups.length = kept;
  return groups;
}

/** The profile without attributes whose list is empty (writers never leave one, so usually `profile` itself). */
function withoutEmptyLists(profile: Record<string, JsonValue[]>): Record<string, JsonValue[]> {
  for (const code in profile) {
    if (profile[code].length === 0) {
      const kept: Record<string, JsonValue[]> = {};
      for (const [key, values] of Object.entries(profile)) if (values.length > 0) kept[key] = values;
      return kept;
    }
  }
  return profile;
}

// Printable ASCII without quote or backslash: JSON.stringify would return it unchanged between quotes.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const quote = (s: string) => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));

/** JSON with object keys sorted at every level, so equal states always give equal text. */
export function canonicalJson(value: unknown): string {
  // Hot path (once per record per run): plain loops and string appends instead of map/filter/join.
  if (typeof value === 'string') return quote(value);
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
    out += `${first ? '' : ','}${quote(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * The version of what this engine makes of a record: bump it whenever the same record and control file
 * would give a different desired state or digest (a conversion fixed, the canonical form changed). The
 * apply worker skips the transform of records unchanged since a run under the same control file, config
 * and version (its transform fingerprint), so without a bump such a fix would never reach unchanged users.
 * desired-state-version.test.ts fails when the output for its fixtures changes, as a reminder.
 */
export const DESIRED_STATE_VERSION = 1;

/** SHA-256 (hex) of the canonical JSON: the worker compares this with the stored digest, not raw records. */
export function desiredStateDigest(desired: DesiredUser): string {
  return hash('sha256', canonicalJson(desired), 'hex');
}

/** The raw record as JSON, for storing the last record received per user (Haplo's lastUserData). */
export function rawRecordJson(record: unknown): string {
  return JSON.stringify(record) ?? 'null';
}

/** The canonical JSON of a desired state's groups, tags and profile, and its `desiredStateDigest`. */
export interface DesiredStateParts {
  groups: string;
  tags: string;
  profile: string;
  digest: string;
}

/**
 * canonicalJson of groups, tags and profile (what the apply worker stores) and desiredStateDigest(desired),
 * built from those same pieces so each is serialised once: keys in sorted order, undefined members left out.
 */
export function desiredStateParts(desired: DesiredUser): DesiredStateParts {
  const groups = canonicalJson(desired.groups);
  const tags = canonicalJson(desired.tags);
  const profile = canonicalJson(desired.profile);
  return { groups, tags, profile, digest: hash('sha256', digestText(desired, groups, tags, profile), 'hex') };
}

// DesiredUser's members in sorted order: what canonicalJson(desired) visits, without sorting per record.
const MEMBERS = new Set(['email', 'groups', 'nameFirst', 'nameLast', 'profile', 'tags', 'title', 'username']);

/** canonicalJson(desired), reusing the serialised groups, tags and profile. */
function digestText(desired: DesiredUser, groups: string, tags: string, profile: string): string {
  const { email, nameFirst, nameLast, title, username } = desired;
  let known = typeof email === 'string' && typeof nameFirst === 'string' && typeof nameLast === 'string';
  known &&= typeof username === 'string' && (title === undefined || typeof title === 'string');
  for (const key in desired) if (!MEMBERS.has(key)) known = false;
  if (known) {
    const head = `{"email":${quote(email)},"groups":${groups},"nameFirst":${quote(nameFirst)},"nameLast":${quote(nameLast)}`;
    const titled = title === undefined ? '' : `,"title":${quote(title)}`;
    return `${head},"profile":${profile},"tags":${tags}${titled},"username":${quote(username)}}`;
  }
  // Anything else (a state built by hand with other members): the general canonical form.
  const fields = desired as unknown as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(fields).sort()) {
    const value = fields[key];
    if (value === undefined) continue;
    const json = key === 'groups' ? groups : key === 'tags' ? tags : key === 'profile' ? profile : canonicalJson(value);
    text += `${text.length > 1 ? ',' : ''}${quote(key)}:${json}`;
  }
  return `${text}}`;
}
