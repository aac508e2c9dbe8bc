/**
 * Turns a resource as a client sent it into the canonical stored form: attribute names spelled as the
 * schema spells them (clients may use any case), values of the declared types (the string booleans
 * Entra ID sends, `"True"`, become booleans), read-only attributes dropped (RFC 7644 §3.3: the server
 * ignores them), unassigned (null or empty) values removed. Anything that cannot be read is a 400
 * `invalidValue` naming the JSON path.
 */
import { findAttribute, type Attribute } from './attribute.js';
import { badRequest } from './errors.js';
import type { ResourceType } from './resource-types.js';
import { COMMON_ATTRIBUTES } from './schemas.js';

const EXTERNAL_ID = findAttribute(COMMON_ATTRIBUTES, 'externalId')!;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type ScimResource = Record<string, Json>;

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(path: string, message: string): never {
  throw badRequest('invalidValue', `${path}: ${message}`);
}

/** A boolean from JSON, accepting the string forms some clients send ("True", "false"). */
export function booleanValue(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return invalid(path, `expected a boolean, got ${JSON.stringify(value)}.`);
}

function scalarValue(attribute: Attribute, value: unknown, path: string): Json {
  switch (attribute.type) {
    case 'boolean':
      return booleanValue(value, path);
    case 'integer':
    case 'decimal': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n) || (attribute.type === 'integer' && !Number.isInteger(n)))
        return invalid(
          path,
          `expected ${attribute.type === 'integer' ? 'an integer' : 'a number'}, got ${JSON.stringify(value)}.`,
        );
      return n;
    }
    case 'dateTime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
        return invalid(path, `expected an xsd:dateTime such as "2026-12-03T14:05:00Z", got ${JSON.stringify(value)}.`);
      return new Date(value).toISOString();
    default:
      // string, reference, binary: numbers are taken as their decimal text (HR exports number employee ids).
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value !== 'string') return invalid(path, `expected a string, got ${JSON.stringify(value)}.`);
      return value;
  }
}

function singleValue(attribute: Attribute, value: unknown, path: string): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (attribute.type !== 'complex') {
    const scalar = scalarValue(attribute, value, path);
    return scalar === '' ? undefined : scalar;
  }
  if (!isObject(value))
    return invalid(path, `expected an object with ${subNames(attribute)}, got ${JSON.stringify(value)}.`);
  const out = complexValue(attribute.subAttributes ?? [], value, path);
  return Object.keys(out).length ? out : undefined;
}

const subNames = (a: Attribute) => (a.subAttributes ?? []).map((s) => s.name).join(', ');

function complexValue(subs: readonly Attribute[], value: Record<string, Json>, path: string): ScimResource {
  const out: ScimResource = {};
  for (const [key, raw] of Object.entries(value)) {
    const sub = findAttribute(subs, key);
    if (!sub) continue; // unknown sub-attributes are ignored, as unknown attributes are
    const v = singleValue(sub, raw, `${path}.${sub.name}`);
    if (v !== undefined) out[sub.name] = v;
  }
  return out;
}

/** The value of one attribute, or undefined when it is unassigned. */
export function attributeValue(attribute: Attribute, value: unknown, path: string): Json | undefined {
  if (!attribute.multiValued) return singleValue(attribute, value, path);
  if (value === null || value === undefined) return undefined;
  const items = Array.isArray(value) ? value : [value]; // a lone value where a list belongs is a list of one
  const out = items
    .map((item, i) => singleValue(attribute, item, `${path}[${i}]`))
    .filter((v): v is Json => v !== undefined);
  const primaries = out.filter((v) => isObject(v) && v.primary === true).length;
  if (primaries > 1) invalid(path, `at most one value may have "primary": true (${primaries} do).`);
  return out.length ? out : undefined;
}

/** The writable attributes of a schema, normalised (read-only ones are dropped). */
function schemaAttributes(attributes: readonly Attribute[], body: Record<string, Json>, path: string): ScimResource {
  const out: ScimResource = {};
  for (const [key, raw] of Object.entries(body)) {
    const attribute = findAttribute(attributes, key);
    // Read-only values are the server's to set; a password (write-only) is never kept: usersync signs nobody in.
    if (!attribute || attribute.mutability === 'readOnly' || attribute.returned === 'never') continue;
    const v = attributeValue(attribute, raw, path ? `${path}.${attribute.name}` : attribute.name);
    if (v !== undefined) out[attribute.name] = v;
  }
  return out;
}

/**
 * The canonical form of a POST or PUT body. `id`, `meta` and other read-only attributes are ignored;
 * `externalId` is kept; extension attributes are nested under their schema URI.
 */
export function normalizeResource(type: ResourceType, body: unknown): ScimResource {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'The request body must be a JSON object.');
  if (body.schemas !== undefined && !(Array.isArray(body.schemas) && body.schemas.every((s) => typeof s === 'string')))
    throw badRequest('invalidSyntax', '"schemas" must be an array of schema URIs.');
  const core: Record<string, Json> = {};
  const out: ScimResource = {};
  for (const [key, raw] of Object.entries(body)) {
    const ext = type.extensions.find((e) => e.schema.id.toLowerCase() === key.toLowerCase());
    if (ext) {
      if (raw === null) continue;
      if (!isObject(raw)) invalid(ext.schema.id, 'expected an object of extension attributes.');
      const values = schemaAttributes(ext.schema.attributes, raw, ext.schema.id);
      if (Object.keys(values).length) out[ext.schema.id] = values;
    } else if (key.toLowerCase() === 'externalid') {
      const v = raw === null || raw === undefined ? undefined : scalarValue(EXTERNAL_ID, raw, 'externalId');
      if (v !== undefined && v !== '') out.externalId = v;
    } else if (/^urn:/i.test(key) && isObject(raw)) {
      const values = unknownExtension(raw);
      if (Object.keys(values).length) out[key] = values;
    } else if (key !== 'schemas') core[key] = raw;
  }
  Object.assign(out, schemaAttributes(type.schema.attributes, core, ''));
  for (const a of type.schema.attributes)
    if (a.required && (out[a.name] === undefined || out[a.name] === ''))
      invalid(a.name, `${a.name} is required for a ${type.name}.`);
  return orderLike(type, out);
}

/**
 * An extension schema we do not describe (Entra's `urn:ietf:params:scim:schemas:extension:csv:1.0:User`
 * carries every CSV column as a string): its scalar values are kept as sent, for a control file to map.
 */
function unknownExtension(raw: Record<string, Json>): ScimResource {
  const out: ScimResource = {};
  for (const [k, v] of Object.entries(raw))
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}

/** Keys in schema order (externalId first, extensions last), so stored JSON and answers read predictably. */
function orderLike(type: ResourceType, resource: ScimResource): ScimResource {
  const out: ScimResource = {};
  if (resource.externalId !== undefined) out.externalId = resource.externalId;
  for (const a of type.schema.attributes) if (resource[a.name] !== undefined) out[a.name] = resource[a.name];
  for (const e of type.extensions) if (resource[e.schema.id] !== undefined) out[e.schema.id] = resource[e.schema.id];
  for (const [k, v] of Object.entries(resource)) if (/^urn:/i.test(k) && out[k] === undefined) out[k] = v;
  return out;
}
