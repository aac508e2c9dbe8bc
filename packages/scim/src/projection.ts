/**
 * `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes an answer carries.
 * Attributes with `returned: "always"` (`id`, and `schemas`) are always there; `returned: "request"`
 * ones only when asked for. Names are paths, case-insensitive, and may name a sub-attribute.
 */
import type { Json, ScimResource } from './normalize.js';
import { resolvePath, type ResolvedPath, type ResourceType } from './resource-types.js';
import { ScimError } from './errors.js';

export interface Projection {
  attributes: ResolvedPath[] | undefined;
  excluded: ResolvedPath[];
}

/** Reads the two query parameters (comma-separated lists); unknown names are ignored. */
export function parseProjection(type: ResourceType, attributes?: string, excludedAttributes?: string): Projection {
  const list = (text: string | undefined) =>
    (text ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .flatMap((p) => {
        try {
          return [resolvePath(type, p)];
        } catch (err) {
          if (err instanceof ScimError) return [];
          throw err;
        }
      });
  const wanted = attributes?.trim() ? list(attributes) : undefined;
  return { attributes: wanted, excluded: list(excludedAttributes) };
}

type Doc = Record<string, Json>;
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

function holder(doc: Doc, p: ResolvedPath, create: boolean): Doc | undefined {
  if (!p.extension) return doc;
  if (!isObject(doc[p.extension])) {
    if (!create) return undefined;
    doc[p.extension] = {};
  }
  return doc[p.extension] as Doc;
}

function copyPath(from: Doc, to: Doc, p: ResolvedPath): void {
  const source = holder(from, p, false);
  const value = source?.[p.attribute.name];
  if (value === undefined) return;
  const target = holder(to, p, true)!;
  if (!p.sub) {
    target[p.attribute.name] = value;
    return;
  }
  const sub = p.sub.name;
  const pick = (v: Json): Doc => (isObject(v) && v[sub] !== undefined ? { [sub]: v[sub] } : {});
  if (Array.isArray(value)) {
    const existing = Array.isArray(target[p.attribute.name])
      ? (target[p.attribute.name] as Json[])
      : value.map(() => ({}));
    target[p.attribute.name] = value.map((v, i) => ({ ...(existing[i] as Doc), ...pick(v) }));
  } else if (isObject(value))
    target[p.attribute.name] = { ...((target[p.attribute.name] as Doc) ?? {}), ...pick(value) };
}

function deletePath(doc: Doc, p: ResolvedPath): void {
  const h = holder(doc, p, false);
  if (!h || h[p.attribute.name] === undefined) return;
  if (!p.sub) delete h[p.attribute.name];
  else {
    const sub = p.sub.name;
    const strip = (v: Json): Json => {
      if (!isObject(v)) return v;
      const copy = { ...v };
      delete copy[sub];
      return copy;
    };
    const v = h[p.attribute.name];
    h[p.attribute.name] = Array.isArray(v) ? v.map(strip) : strip(v);
  }
  if (p.extension && isObject(doc[p.extension]) && Object.keys(doc[p.extension] as Doc).length === 0)
    delete doc[p.extension];
}

const ALWAYS = ['schemas', 'id'];

/** The resource as the projection asks for it. `resource` is a full answer (schemas, id, meta, …). */
export function project(type: ResourceType, resource: ScimResource, projection: Projection): ScimResource {
  const requestOnly = [...type.schema.attributes].filter((a) => a.returned === 'request').map((a) => a.name);
  if (projection.attributes) {
    const out: Doc = {};
    for (const key of ALWAYS) if (resource[key] !== undefined) out[key] = resource[key];
    for (const p of projection.attributes) copyPath(resource, out, p);
    return out;
  }
  const out = structuredClone(resource) as Doc;
  for (const name of requestOnly) delete out[name];
  for (const p of projection.excluded) if (!ALWAYS.includes(p.attribute.name) || p.extension) deletePath(out, p);
  return out;
}
