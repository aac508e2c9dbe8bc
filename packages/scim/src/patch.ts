/**
 * PATCH (RFC 7644 §3.5.2): add, replace and remove, with and without `path`, value filters on
 * multi-valued attributes, and what the big clients actually send: operation names in any case
 * (`"Replace"`), string booleans (`"False"`), a no-path `value` whose keys are paths
 * (`"name.givenName"`, `"urn:…:enterprise:2.0:User:department"`), a plain string for a complex
 * attribute (Entra's `manager`), and `remove` of `members` with a `value` list. All operations apply
 * to a copy, and the result is validated as a whole, so a failing operation changes nothing.
 */
import { badRequest, ScimError } from './errors.js';
import { normalizeResource, type Json, type ScimResource } from './normalize.js';
import { parsePatchPath, type PatchPath } from './patch-path.js';
import { writeAt, removeAt } from './patch-apply.js';
import type { ResourceType } from './resource-types.js';

export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: PatchPath | undefined;
  value: unknown;
  /** Where the operation was in the request, for messages: `Operations[2]`. */
  where: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and checks a PatchOp request body; every problem names the operation it is in. */
export function parsePatchRequest(type: ResourceType, body: unknown): PatchOperation[] {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'The request body must be a JSON object (a PatchOp).');
  if (body.schemas !== undefined && !(Array.isArray(body.schemas) && body.schemas.includes(PATCH_SCHEMA)))
    throw badRequest('invalidSyntax', `"schemas" must contain "${PATCH_SCHEMA}".`);
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const list = key ? body[key] : undefined;
  if (!Array.isArray(list) || list.length === 0)
    throw badRequest('invalidSyntax', '"Operations" must be a non-empty array of operations.');
  return list.map((raw, i) => parseOperation(type, raw, `Operations[${i}]`));
}

function member(o: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(o).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : o[key];
}

function parseOperation(type: ResourceType, raw: unknown, where: string): PatchOperation {
  if (!isObject(raw)) throw badRequest('invalidSyntax', `${where} must be an object with "op".`);
  const opText = member(raw, 'op');
  const op = typeof opText === 'string' ? opText.toLowerCase() : '';
  if (op !== 'add' && op !== 'replace' && op !== 'remove')
    throw badRequest(
      'invalidSyntax',
      `${where}.op must be "add", "replace" or "remove", not ${JSON.stringify(opText)}.`,
    );
  const pathText = member(raw, 'path');
  if (pathText !== undefined && typeof pathText !== 'string')
    throw badRequest('invalidPath', `${where}.path must be a string.`);
  const value = member(raw, 'value');
  if (op === 'remove' && (pathText === undefined || pathText.trim() === ''))
    throw badRequest('noTarget', `${where}: a "remove" operation needs a "path".`);
  if (op !== 'remove' && value === undefined) throw badRequest('invalidValue', `${where}: "${op}" needs a "value".`);
  try {
    const path = pathText === undefined || pathText.trim() === '' ? undefined : parsePatchPath(type, pathText);
    if (path && path.target.attribute.mutability === 'readOnly')
      throw new ScimError(400, 'mutability', `"${pathText}" is read-only.`);
    if (!path && !isObject(value))
      throw badRequest('invalidValue', `"${op}" without a path needs an object "value" of attributes.`);
    return { op, path, value, where };
  } catch (err) {
    if (err instanceof ScimError) throw new ScimError(err.status, err.scimType, `${where}: ${err.detail}`);
    throw err;
  }
}

/**
 * The no-path form: each key of `value` is a path of its own; an extension URI's object spreads into
 * its attributes. Keys naming read-only or unknown attributes (and `schemas`) are skipped, as a POST
 * body's would be.
 */
function expandNoPath(type: ResourceType, value: Record<string, unknown>): { path: PatchPath; value: unknown }[] {
  const out: { path: PatchPath; value: unknown }[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key.toLowerCase() === 'schemas') continue;
    const ext = type.extensions.find((e) => e.schema.id.toLowerCase() === key.toLowerCase());
    if (ext && isObject(v)) {
      out.push(
        ...expandNoPath(type, Object.fromEntries(Object.entries(v).map(([k, x]) => [`${ext.schema.id}:${k}`, x]))),
      );
      continue;
    }
    let path: PatchPath;
    try {
      path = parsePatchPath(type, key);
    } catch (err) {
      if (err instanceof ScimError && err.scimType === 'invalidPath') continue;
      throw err;
    }
    if (path.target.attribute.mutability !== 'readOnly') out.push({ path, value: v });
  }
  return out;
}

/** Applies the operations to a copy of `resource` and returns the validated result. */
export function applyPatch(
  type: ResourceType,
  resource: ScimResource,
  operations: readonly PatchOperation[],
): ScimResource {
  const doc = structuredClone(resource) as Record<string, Json>;
  for (const o of operations) {
    try {
      if (o.op === 'remove') removeAt(doc, o.path!, o.value);
      else if (o.path) writeAt(doc, o.path, o.value, o.op);
      else
        for (const part of expandNoPath(type, o.value as Record<string, unknown>))
          writeAt(doc, part.path, part.value, o.op);
    } catch (err) {
      if (err instanceof ScimError) throw new ScimError(err.status, err.scimType, `${o.where}: ${err.detail}`);
      throw err;
    }
  }
  return normalizeResource(type, doc);
}
