/**
 * PATCH paths (RFC 7644 §3.5.2 `PATH = attrPath / valuePath [subAttr]`): `active`, `name.givenName`,
 * `emails[type eq "work"].value`, `members[value eq "2819c223"]`, and any of those after an extension
 * schema URI. Resolved case-insensitively against the resource type.
 */
import { findAttribute } from './attribute.js';
import { badRequest, ScimError } from './errors.js';
import { parseFilter, type ScimFilter } from './filter.js';
import { resolvePath, type ResolvedPath, type ResourceType } from './resource-types.js';

export interface PatchPath {
  /** The attribute, and the sub-attribute when the path names one (after `.` or after `[…]`). */
  target: ResolvedPath;
  /** The value selection filter of a `valuePath`, evaluated on each value of the attribute. */
  valueFilter: ScimFilter | undefined;
  text: string;
}

/** Parses a PATCH `path`; an unknown attribute is 400 `invalidPath`, a bad filter 400 `invalidFilter`. */
export function parsePatchPath(type: ResourceType, text: string): PatchPath {
  const open = text.indexOf('[');
  if (open < 0) return { target: resolvePath(type, text.trim()), valueFilter: undefined, text };
  const close = text.lastIndexOf(']');
  if (close < open) throw badRequest('invalidPath', `The path ${JSON.stringify(text)} has an unclosed "[".`);
  const attrText = text.slice(0, open).trim();
  const filterText = text.slice(open + 1, close);
  const after = text.slice(close + 1).trim();
  if (after !== '' && !after.startsWith('.'))
    throw badRequest(
      'invalidPath',
      `The path ${JSON.stringify(text)} has "${after}" after "]"; expected ".subAttribute".`,
    );
  const attribute = resolvePath(type, attrText);
  if (attribute.sub || !attribute.attribute.multiValued || attribute.attribute.type !== 'complex')
    throw badRequest(
      'invalidPath',
      `"${attrText}" in ${JSON.stringify(text)} is not a multi-valued complex attribute.`,
    );
  let valueFilter: ScimFilter;
  try {
    const parsed = parseFilter(type, `${attrText}[${filterText}]`);
    if (parsed.op !== 'valuePath') throw badRequest('invalidFilter', 'not a value filter');
    valueFilter = parsed.filter;
  } catch (err) {
    if (err instanceof ScimError)
      throw badRequest('invalidFilter', `In the path ${JSON.stringify(text)}: ${err.detail}`);
    throw err;
  }
  let target = attribute;
  if (after) {
    const sub = findAttribute(attribute.attribute.subAttributes ?? [], after.slice(1));
    if (!sub) throw badRequest('invalidPath', `${attribute.attribute.name} has no sub-attribute "${after.slice(1)}".`);
    target = { ...attribute, sub, segments: [...attribute.segments, sub.name] };
  }
  return { target, valueFilter, text };
}
