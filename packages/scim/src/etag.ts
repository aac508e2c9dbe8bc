/**
 * Versions (RFC 7644 §3.14): a resource's version is a counter kept by the store, shown as the weak
 * entity tag `W/"<n>"` in `meta.version` and the `ETag` header. `If-Match` / `If-None-Match` are
 * compared with weak comparison (RFC 7232 §2.3.2).
 */
import { preconditionFailed } from './errors.js';

export const etagOf = (version: number): string => `W/"${version}"`;

/** The opaque tags of an If-Match / If-None-Match header, or '*' for any. */
function tagsOf(header: string): string[] | '*' {
  if (header.trim() === '*') return '*';
  return [...header.matchAll(/(?:W\/)?"([^"]*)"/g)].map((m) => m[1]!);
}

/** Throws 412 when an If-Match header is present and does not name the current version. */
export function checkIfMatch(header: string | undefined, version: number): void {
  if (header === undefined) return;
  const tags = tagsOf(header);
  if (tags === '*' || tags.includes(String(version))) return;
  throw preconditionFailed(`The resource has changed: its version is ${etagOf(version)}, not ${header.trim()}.`);
}

/** True when an If-None-Match header names the current version (the client's copy is current: 304). */
export function notModified(header: string | undefined, version: number): boolean {
  if (header === undefined) return false;
  const tags = tagsOf(header);
  return tags === '*' || tags.includes(String(version));
}
