import type { ControlFileError } from './types.js';

/** Data types a profile attribute may have (the subset of Haplo's types that makes sense without an object store). */
export type ProfileAttributeType =
  | 'text'
  | 'code'
  | 'boolean'
  | 'datetime'
  | 'integer'
  | 'number'
  | 'email-address'
  | 'url'
  | 'telephone-number'
  | 'json'
  | 'person-name'
  | 'postal-address';

export const PROFILE_ATTRIBUTE_TYPES: readonly ProfileAttributeType[] = [
  'text',
  'code',
  'boolean',
  'datetime',
  'integer',
  'number',
  'email-address',
  'url',
  'telephone-number',
  'json',
  'person-name',
  'postal-address',
];

export interface ProfileAttribute {
  /** The `name` control files use with `destination: "profile"`. */
  code: string;
  label: string;
  type: ProfileAttributeType;
  multivalue: boolean;
}

export interface ProfileSchema {
  attributes: ProfileAttribute[];
}

// Haplo's std:attribute codes where Haplo has one (job-title, telephone, address, url), so control
// files written for Haplo keep working; the rest follow the same pattern.
export const defaultProfileSchema: ProfileSchema = Object.freeze({
  attributes: Object.freeze([
    { code: 'std:attribute:job-title', label: 'Job title', type: 'text', multivalue: true },
    { code: 'std:attribute:department', label: 'Department', type: 'code', multivalue: false },
    { code: 'std:attribute:telephone', label: 'Phone', type: 'telephone-number', multivalue: true },
    { code: 'std:attribute:mobile', label: 'Mobile', type: 'telephone-number', multivalue: false },
    { code: 'std:attribute:office', label: 'Office', type: 'text', multivalue: false },
    { code: 'std:attribute:employee-id', label: 'Employee ID', type: 'text', multivalue: false },
    { code: 'std:attribute:start-date', label: 'Start date', type: 'datetime', multivalue: false },
    { code: 'std:attribute:end-date', label: 'End date', type: 'datetime', multivalue: false },
    { code: 'std:attribute:manager-username', label: 'Manager username', type: 'text', multivalue: false },
    { code: 'std:attribute:address', label: 'Postal address', type: 'postal-address', multivalue: false },
    { code: 'std:attribute:url', label: 'Website', type: 'url', multivalue: true },
  ] as ProfileAttribute[]) as ProfileAttribute[],
});

const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:_.-]*$/;

export type ProfileSchemaResult = { ok: true; schema: ProfileSchema } | { ok: false; errors: ControlFileError[] };

/**
 * Validates a replacement profile schema: `{"attributes": [{"code", "label", "type", "multivalue"}, …]}`.
 * Accepts JSON text or an already parsed value; reports every problem with its JSON path.
 */
export function parseProfileSchema(input: unknown): ProfileSchemaResult {
  const errors: ControlFileError[] = [];
  const fail = (path: string, message: string) =>
    errors.push({ path, message, code: 'BAD_PROPERTY', severity: 'error' });
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (err) {
      fail('$', `Profile schema was not valid JSON: ${(err as Error).message}`);
      return { ok: false, errors };
    }
  }
  if (!isPlainObject(json) || !Array.isArray(json.attributes)) {
    fail('$.attributes', 'Profile schema must be an object with an "attributes" array');
    return { ok: false, errors };
  }
  if (json.attributes.length === 0) fail('$.attributes', 'Profile schema must declare at least one attribute');
  const seen = new Set<string>();
  const attributes: ProfileAttribute[] = [];
  json.attributes.forEach((attr: unknown, i: number) => {
    const path = `$.attributes[${i}]`;
    if (!isPlainObject(attr)) return fail(path, 'Attribute must be an object');
    const { code, label, type, multivalue } = attr;
    if (typeof code !== 'string' || !CODE_PATTERN.test(code)) {
      fail(`${path}.code`, `Attribute code must be a string matching ${CODE_PATTERN.source}`);
    } else if (seen.has(code)) {
      fail(`${path}.code`, `Duplicate attribute code: ${code}`);
    } else {
      seen.add(code);
    }
    if (typeof label !== 'string' || label.trim() === '')
      fail(`${path}.label`, 'Attribute label must be a non-empty string');
    if (typeof type !== 'string' || !PROFILE_ATTRIBUTE_TYPES.includes(type as ProfileAttributeType)) {
      fail(
        `${path}.type`,
        `Unknown attribute type: ${String(type)} (expected one of ${PROFILE_ATTRIBUTE_TYPES.join(', ')})`,
      );
    }
    if (multivalue !== undefined && typeof multivalue !== 'boolean')
      fail(`${path}.multivalue`, 'multivalue must be a boolean');
    attributes.push({
      code: code as string,
      label: label as string,
      type: type as ProfileAttributeType,
      multivalue: multivalue === true,
    });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, schema: { attributes } };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
