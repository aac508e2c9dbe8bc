/**
 * Resource types (RFC 7643 §6) and attribute paths (RFC 7644 §3.10): which schemas a resource has,
 * and how a path such as `name.givenName`, `emails.value` or
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department` resolves, case-insensitively,
 * to the attribute definitions and to the canonical spelling used in stored resources.
 */
import { findAttribute, type Attribute } from './attribute.js';
import { badRequest } from './errors.js';
import { COMMON_ATTRIBUTES, ENTERPRISE_USER, GROUP, USER, type Schema } from './schemas.js';

export interface ResourceType {
  id: 'User' | 'Group';
  name: string;
  endpoint: string;
  description: string;
  schema: Schema;
  extensions: { schema: Schema; required: boolean }[];
}

export const USER_RESOURCE: ResourceType = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER,
  extensions: [{ schema: ENTERPRISE_USER, required: false }],
};

export const GROUP_RESOURCE: ResourceType = {
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: GROUP,
  extensions: [],
};

export const RESOURCE_TYPES: readonly ResourceType[] = [USER_RESOURCE, GROUP_RESOURCE];

/** A resolved attribute path. `extension` is the extension schema's URI, or undefined for core attributes. */
export interface ResolvedPath {
  extension: string | undefined;
  attribute: Attribute;
  sub: Attribute | undefined;
  /** The canonical path: `[extension?, attribute, sub?]` with the schemas' own spelling. */
  segments: string[];
}

/** The schema URI a path starts with, if any, and the rest (`urn:…:User:name.givenName` → `name.givenName`). */
function splitSchemaPrefix(type: ResourceType, path: string): { schema: Schema; rest: string; extension?: string } {
  const lower = path.toLowerCase();
  for (const ext of type.extensions) {
    const uri = ext.schema.id.toLowerCase();
    if (lower === uri) return { schema: ext.schema, rest: '', extension: ext.schema.id };
    if (lower.startsWith(`${uri}:`))
      return { schema: ext.schema, rest: path.slice(uri.length + 1), extension: ext.schema.id };
  }
  const core = type.schema.id.toLowerCase();
  if (lower.startsWith(`${core}:`)) return { schema: type.schema, rest: path.slice(core.length + 1) };
  return { schema: type.schema, rest: path };
}

/**
 * Resolves `path` on a resource type; throws a 400 with `scimType` (invalidPath, or the one given: a
 * filter reports invalidFilter) naming the path when it is not an attribute of the resource.
 */
export function resolvePath(
  type: ResourceType,
  path: string,
  scimType: 'invalidPath' | 'invalidFilter' = 'invalidPath',
): ResolvedPath {
  const { schema, rest, extension } = splitSchemaPrefix(type, path);
  const [head, subName, ...extra] = rest.split('.');
  const attributes = extension ? schema.attributes : [...COMMON_ATTRIBUTES, ...schema.attributes];
  const attribute = head ? findAttribute(attributes, head) : undefined;
  if (!attribute || extra.length > 0)
    throw badRequest(scimType, `"${path}" is not an attribute of the ${type.name} resource.`);
  let sub: Attribute | undefined;
  if (subName !== undefined) {
    sub = findAttribute(attribute.subAttributes ?? [], subName);
    if (!sub) throw badRequest(scimType, `"${path}": ${attribute.name} has no sub-attribute "${subName}".`);
  }
  const segments = [...(extension ? [extension] : []), attribute.name, ...(sub ? [sub.name] : [])];
  return { extension, attribute, sub, segments };
}

/** The attribute a resolved path ends at (the sub-attribute when there is one). */
export const leafOf = (p: ResolvedPath): Attribute => p.sub ?? p.attribute;

/** The schema list a resource of this type carries, given which extensions it has values for. */
export function schemasOf(type: ResourceType, resource: Record<string, unknown>): string[] {
  const known = type.extensions.map((e) => e.schema.id).filter((id) => id in resource);
  const others = Object.keys(resource).filter((k) => /^urn:/i.test(k) && !known.includes(k));
  return [type.schema.id, ...known, ...others];
}
