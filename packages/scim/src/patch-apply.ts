/**
 * The effect of one PATCH operation on a canonical resource document (RFC 7644 §3.5.2.1–3). Values are
 * normalised to the target attribute's type first; the caller validates the whole result afterwards.
 */
import type { Attribute } from './attribute.js';
import { badRequest } from './errors.js';
import type { ScimFilter } from './filter.js';
import { matchesFilter } from './filter-match.js';
import { attributeValue, type Json } from './normalize.js';
import type { PatchPath } from './patch-path.js';

type Doc = Record<string, Json>;
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stable text for deep comparison (key order does not matter). */
function canonical(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function holderOf(doc: Doc, path: PatchPath, create: boolean): Doc | undefined {
  const ext = path.target.extension;
  if (!ext) return doc;
  if (!isObject(doc[ext])) {
    if (!create) return undefined;
    doc[ext] = {};
  }
  return doc[ext] as Doc;
}

/** A client's value for `attribute`, normalised; a bare string for a complex attribute means its `value`. */
function valueFor(attribute: Attribute, raw: unknown, where: string): Json | undefined {
  const hasValueSub = attribute.subAttributes?.some((s) => s.name === 'value');
  const wrap = (x: unknown) =>
    attribute.type === 'complex' && hasValueSub && !isObject(x) && x !== null ? { value: x } : x;
  const shaped = attribute.multiValued && Array.isArray(raw) ? raw.map(wrap) : wrap(raw);
  return attributeValue(attribute, shaped, where);
}

/** `{type: "work"}` for `type eq "work"` (and an `and` of such): the value a missing match is created as. */
function itemFromEquals(filter: ScimFilter): Doc | undefined {
  if (filter.op === 'eq' && filter.path.sub && filter.value !== null) return { [filter.path.sub.name]: filter.value };
  if (filter.op !== 'and') return undefined;
  const parts = filter.filters.map(itemFromEquals);
  return parts.every((p) => p) ? Object.assign({}, ...parts) : undefined;
}

/** When a value is set primary, the others stop being primary (RFC 7644 §3.5.2). */
function keepOnePrimary(items: Json[], chosen: ReadonlySet<Json>): Json[] {
  if (![...chosen].some((v) => isObject(v) && v.primary === true)) return items;
  return items.map((v) => (isObject(v) && !chosen.has(v) && v.primary === true ? { ...v, primary: false } : v));
}

/** add or replace at `path`. */
export function writeAt(doc: Doc, path: PatchPath, raw: unknown, op: 'add' | 'replace'): void {
  const holder = holderOf(doc, path, true)!;
  const { attribute, sub } = path.target;
  const name = attribute.name;
  if (!attribute.multiValued) {
    if (sub) {
      const v = valueFor(sub, raw, path.text);
      const current = isObject(holder[name]) ? (holder[name] as Doc) : {};
      if (v === undefined) delete current[sub.name];
      else current[sub.name] = v;
      if (Object.keys(current).length) holder[name] = current;
      else delete holder[name];
      return;
    }
    const v = valueFor(attribute, raw, path.text);
    if (v === undefined) delete holder[name];
    // A complex value merges: sub-attributes not given are left as they were (§3.5.2.1 and .3).
    else holder[name] = isObject(v) && isObject(holder[name]) ? { ...(holder[name] as Doc), ...v } : v;
    return;
  }
  const items = Array.isArray(holder[name]) ? [...(holder[name] as Json[])] : [];
  if (!path.valueFilter && !sub) {
    const given = (valueFor(attribute, raw, path.text) as Json[] | undefined) ?? [];
    const merged =
      op === 'replace' ? given : [...items, ...given.filter((g) => !items.some((i) => canonical(i) === canonical(g)))];
    setItems(holder, name, keepOnePrimary(merged, new Set(given)));
    return;
  }
  const filter = path.valueFilter;
  const matching = items.filter((item) => !filter || matchesFilter(doc, filter, item));
  const subValue = sub ? valueFor(sub, raw, path.text) : undefined;
  const itemValue = sub
    ? undefined
    : (valueFor({ ...attribute, multiValued: false }, raw, path.text) as Doc | undefined);
  if (matching.length === 0) {
    const seed = filter ? itemFromEquals(filter) : {};
    if (!seed) throw badRequest('noTarget', `no value of ${name} matches ${JSON.stringify(path.text)}.`);
    const created: Json = sub
      ? { ...seed, ...(subValue === undefined ? {} : { [sub.name]: subValue }) }
      : { ...seed, ...itemValue };
    setItems(holder, name, keepOnePrimary([...items, created], new Set([created])));
    return;
  }
  const changed = new Set<Json>();
  const next = items.map((item) => {
    if (!matching.includes(item) || !isObject(item)) return item;
    let v: Json;
    if (sub) {
      const copy = { ...item };
      if (subValue === undefined) delete copy[sub.name];
      else copy[sub.name] = subValue;
      v = copy;
    } else v = op === 'replace' ? (itemValue ?? {}) : { ...item, ...itemValue };
    changed.add(v);
    return v;
  });
  setItems(holder, name, keepOnePrimary(next, changed));
}

function setItems(holder: Doc, name: string, items: Json[]): void {
  const kept = items.filter((i) => !(isObject(i) && Object.keys(i).length === 0));
  if (kept.length) holder[name] = kept;
  else delete holder[name];
}

/** remove at `path`; `raw` (a value list) removes just those values of a multi-valued attribute. */
export function removeAt(doc: Doc, path: PatchPath, raw: unknown): void {
  const holder = holderOf(doc, path, false);
  const { attribute, sub } = path.target;
  const name = attribute.name;
  // Removing what is not there changes nothing and is not an error: a client that retries a removal
  // (or removes a member twice) must not fail.
  if (!holder || holder[name] === undefined) return;
  if (!attribute.multiValued) {
    if (!sub) delete holder[name];
    else if (isObject(holder[name])) {
      const copy = { ...(holder[name] as Doc) };
      delete copy[sub.name];
      if (Object.keys(copy).length) holder[name] = copy;
      else delete holder[name];
    }
    return;
  }
  const items = Array.isArray(holder[name]) ? (holder[name] as Json[]) : [];
  const filter = path.valueFilter;
  if (!filter && !sub) {
    if (raw === undefined || raw === null) return void delete holder[name];
    const given = (valueFor(attribute, raw, path.text) as Json[] | undefined) ?? [];
    const byValue = (item: Json) =>
      given.some(
        (g) =>
          canonical(g) === canonical(item) ||
          (isObject(g) && isObject(item) && g.value !== undefined && g.value === item.value),
      );
    return setItems(
      holder,
      name,
      items.filter((i) => !byValue(i)),
    );
  }
  const matching = items.filter((item) => !filter || matchesFilter(doc, filter, item));
  if (!sub)
    return setItems(
      holder,
      name,
      items.filter((i) => !matching.includes(i)),
    );
  setItems(
    holder,
    name,
    items.map((item) => {
      if (!matching.includes(item) || !isObject(item)) return item;
      const copy = { ...item };
      delete copy[sub.name];
      return copy;
    }),
  );
}
