/**
 * The profile as admins read it: attribute labels from the profile schema (the sync configuration's,
 * derived by @usersync/run-state, else the engine's default), in schema order, values as display text.
 */
import type { ProfileSchema } from '@usersync/control-file';

/** One attribute with its label and values. */
export interface ProfileEntry {
  code: string;
  label: string;
  values: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stored value as text: strings as they are, anything else (addresses, names, numbers) as JSON. */
export function displayValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const valuesOf = (v: unknown): string[] =>
  (Array.isArray(v) ? v : [v]).filter((x) => x !== null && x !== undefined).map(displayValue);

/** The user's stored profile as labelled entries; attributes the schema no longer declares keep their code. */
export function renderProfile(profile: unknown, schema: ProfileSchema): ProfileEntry[] {
  const stored = isObject(profile) ? profile : {};
  const out: ProfileEntry[] = [];
  const seen = new Set<string>();
  for (const a of schema.attributes) {
    seen.add(a.code);
    const values = valuesOf(stored[a.code]);
    if (values.length > 0) out.push({ code: a.code, label: a.label, values });
  }
  for (const [code, v] of Object.entries(stored).sort(([a], [b]) => a.localeCompare(b))) {
    if (seen.has(code)) continue;
    const values = valuesOf(v);
    if (values.length > 0) out.push({ code, label: code, values });
  }
  return out;
}
