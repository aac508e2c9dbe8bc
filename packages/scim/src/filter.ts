/**
 * SCIM filters (RFC 7644 §3.4.2.2). The grammar is parsed by scim2-parse-filter; here every attribute
 * path is resolved against the resource type (case-insensitively, to its canonical spelling), each
 * comparison value checked against the attribute's type, and the rules that depend on the schema
 * applied: case-insensitive strings unless `caseExact`, booleans compared only with eq/ne, dateTimes
 * chronologically, `pr` meaning present and not empty. The same tree is evaluated in memory here and
 * compiled to SQL by the store that owns the data.
 */
import { parse, type Filter as ParsedFilter } from 'scim2-parse-filter';
import { findAttribute } from './attribute.js';
import { badRequest, ScimError } from './errors.js';
import { leafOf, resolvePath, type ResolvedPath, type ResourceType } from './resource-types.js';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'lt' | 'ge' | 'le';
export type FilterValue = string | number | boolean | null;

/** A test of one attribute: presence, or a comparison. */
export type LeafFilter = { op: 'pr'; path: ResolvedPath } | { op: CompareOp; path: ResolvedPath; value: FilterValue };

export type ScimFilter =
  | { op: 'and' | 'or'; filters: ScimFilter[] }
  | { op: 'not'; filter: ScimFilter }
  | LeafFilter
  /** `emails[type eq "work"]`: the inner filter's paths are the attribute's sub-attributes. */
  | { op: 'valuePath'; path: ResolvedPath; filter: ScimFilter };

const ORDERING: ReadonlySet<string> = new Set(['gt', 'lt', 'ge', 'le']);

/**
 * Bare `True`/`False`/`Null` written outside quotes become the lowercase literals the grammar wants
 * (some clients capitalise them); everything inside a quoted string is left alone.
 */
function lowercaseLiterals(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"|\b(true|false|null)\b/gi, (m, word?: string) =>
    word ? word.toLowerCase() : m,
  );
}

/** Parses `text` for resources of `type`; every problem is a 400 `invalidFilter` that quotes the filter. */
export function parseFilter(type: ResourceType, text: string): ScimFilter {
  if (text.trim() === '') throw badRequest('invalidFilter', 'The filter is empty.');
  let parsed: ParsedFilter;
  try {
    parsed = parse(lowercaseLiterals(text));
  } catch (err) {
    throw badRequest('invalidFilter', `Cannot parse the filter ${JSON.stringify(text)}: ${(err as Error).message}.`);
  }
  try {
    return resolveTree(type, parsed, undefined);
  } catch (err) {
    if (err instanceof ScimError)
      throw badRequest('invalidFilter', `${err.detail} (in the filter ${JSON.stringify(text)})`);
    throw err;
  }
}

function resolveTree(type: ResourceType, f: ParsedFilter, parent: ResolvedPath | undefined): ScimFilter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { op: f.op, filters: f.filters.map((c) => resolveTree(type, c, parent)) };
    case 'not':
      return { op: 'not', filter: resolveTree(type, f.filter, parent) };
    case '[]': {
      if (parent) throw badRequest('invalidFilter', 'A value filter cannot be nested inside another.');
      const path = resolvePath(type, f.attrPath, 'invalidFilter');
      if (path.sub || path.attribute.type !== 'complex' || !path.attribute.multiValued)
        throw badRequest('invalidFilter', `"${f.attrPath}" is not a multi-valued complex attribute.`);
      return { op: 'valuePath', path, filter: resolveTree(type, f.valFilter, path) };
    }
    case 'pr':
      return { op: 'pr', path: comparedPath(type, f.attrPath, parent) };
    default: {
      const path = comparedPath(type, f.attrPath, parent);
      return { op: f.op, path, value: comparedValue(path, f.op, f.compValue) };
    }
  }
}

/** A path inside `[…]` names a sub-attribute; a complex attribute compared directly means its `value`. */
function comparedPath(type: ResourceType, attrPath: string, parent: ResolvedPath | undefined): ResolvedPath {
  if (parent) {
    const sub = findAttribute(parent.attribute.subAttributes ?? [], attrPath);
    if (!sub) throw badRequest('invalidFilter', `${parent.attribute.name} has no sub-attribute "${attrPath}".`);
    return { ...parent, sub, segments: [...parent.segments, sub.name] };
  }
  const path = resolvePath(type, attrPath, 'invalidFilter');
  if (!path.sub && path.attribute.type === 'complex') {
    const value = findAttribute(path.attribute.subAttributes ?? [], 'value');
    if (!value) throw badRequest('invalidFilter', `"${attrPath}" is complex: name one of its sub-attributes.`);
    return { ...path, sub: value, segments: [...path.segments, value.name] };
  }
  return path;
}

function comparedValue(path: ResolvedPath, op: CompareOp, value: FilterValue): FilterValue {
  const leaf = leafOf(path);
  const name = path.segments.join('.');
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') throw badRequest('invalidFilter', `"${name}" ${op} null is not a comparison.`);
    return null;
  }
  switch (leaf.type) {
    case 'boolean': {
      if (op !== 'eq' && op !== 'ne')
        throw badRequest('invalidFilter', `"${name}" is a boolean: only eq and ne apply.`);
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw badRequest('invalidFilter', `"${name}" is a boolean; ${JSON.stringify(value)} is not.`);
    }
    case 'integer':
    case 'decimal':
      if (typeof value !== 'number')
        throw badRequest('invalidFilter', `"${name}" is a number; ${JSON.stringify(value)} is not.`);
      return value;
    case 'dateTime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
        throw badRequest('invalidFilter', `"${name}" is a dateTime; ${JSON.stringify(value)} is not.`);
      return new Date(value).toISOString();
    default:
      if (typeof value !== 'string')
        throw badRequest('invalidFilter', `"${name}" is a string; ${JSON.stringify(value)} is not.`);
      if (leaf.type === 'binary' && ORDERING.has(op))
        throw badRequest('invalidFilter', `"${name}" is binary: it has no order.`);
      return value;
  }
}
