/**
 * Evaluates a resolved filter against a stored (canonical) resource in memory: the PATCH value filters
 * (`emails[type eq "work"]`) and small lists. A multi-valued attribute matches when any value does.
 */
import type { FilterValue, ScimFilter } from './filter.js';
import type { Json, ScimResource } from './normalize.js';
import { leafOf, type ResolvedPath } from './resource-types.js';

/** The values a path reaches in a resource (or in one value of a multi-valued attribute). */
function valuesAt(resource: ScimResource, path: ResolvedPath, item: Json | undefined): Json[] {
  let top: Json | undefined;
  if (item !== undefined) top = item;
  else {
    const holder = path.extension ? resource[path.extension] : resource;
    top = holder && typeof holder === 'object' && !Array.isArray(holder) ? holder[path.attribute.name] : undefined;
  }
  if (top === undefined || top === null) return [];
  const tops = item === undefined && Array.isArray(top) ? top : [top];
  if (!path.sub) return tops.flatMap((v) => (Array.isArray(v) ? v : [v]));
  const sub = path.sub.name;
  return tops
    .map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? v[sub] : undefined))
    .filter((v): v is Json => v !== undefined && v !== null);
}

const present = (v: Json) =>
  !(
    v === '' ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && v !== null && Object.keys(v).length === 0)
  );

function compare(path: ResolvedPath, op: string, actual: Json, expected: FilterValue): boolean {
  const leaf = leafOf(path);
  if (expected === null) return false;
  if (leaf.type === 'dateTime') {
    const [a, e] = [Date.parse(String(actual)), Date.parse(String(expected))];
    return ordered(op, a, e);
  }
  if (typeof actual === 'number' && typeof expected === 'number') return ordered(op, actual, expected);
  if (typeof actual === 'boolean' || typeof expected === 'boolean')
    return op === 'eq' ? actual === expected : op === 'ne' ? actual !== expected : false;
  if (typeof actual !== 'string') return false;
  const fold = (s: string) => (leaf.caseExact ? s : s.toLowerCase());
  const [a, e] = [fold(actual), fold(String(expected))];
  switch (op) {
    case 'co':
      return a.includes(e);
    case 'sw':
      return a.startsWith(e);
    case 'ew':
      return a.endsWith(e);
    default:
      return ordered(op, a, e);
  }
}

function ordered<T extends number | string>(op: string, a: T, e: T): boolean {
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
    default:
      return false;
  }
}

/** True when `resource` satisfies `filter`. `item` is the value a `[…]` filter is looking at. */
export function matchesFilter(resource: ScimResource, filter: ScimFilter, item?: Json): boolean {
  switch (filter.op) {
    case 'and':
      return filter.filters.every((f) => matchesFilter(resource, f, item));
    case 'or':
      return filter.filters.some((f) => matchesFilter(resource, f, item));
    case 'not':
      return !matchesFilter(resource, filter.filter, item);
    case 'valuePath': {
      const values = valuesAt(resource, { ...filter.path, sub: undefined }, undefined);
      return values.some((v) => matchesFilter(resource, filter.filter, v));
    }
    case 'pr':
      return valuesAt(resource, filter.path, item).some(present);
    default: {
      const values = valuesAt(resource, filter.path, item);
      if (filter.value === null) return filter.op === 'eq' ? values.length === 0 : values.length > 0;
      if (filter.op === 'ne') return !values.some((v) => compare(filter.path, 'eq', v, filter.value));
      return values.some((v) => compare(filter.path, filter.op, v, filter.value));
    }
  }
}
