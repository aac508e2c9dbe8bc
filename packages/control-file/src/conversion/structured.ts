import type { JsonValue } from '../model/types.js';
import { isPlainObject } from '../model/profile-schema.js';

export type Log = (message: string) => void;

const PERSON_NAME_KEYS = ['title', 'first', 'middle', 'last', 'suffix'] as const;
const ADDRESS_KEYS = ['street1', 'street2', 'city', 'county', 'postcode', 'country'] as const;

/** `{title, first, middle, last, suffix}`; without `last` the value is dropped silently, as in Haplo. */
export function toPersonName(value: unknown): JsonValue | undefined {
  if (!isPlainObject(value)) return undefined;
  const out = pickText(value, PERSON_NAME_KEYS);
  return out.last ? out : undefined;
}

/** `{street1, street2, city, county, postcode, country}` with `country` a two-letter ISO code. */
export function toPostalAddress(value: unknown, src: string, log: Log): JsonValue | undefined {
  if (!isPlainObject(value)) {
    log(`Invalid postal address: ${JSON.stringify(value)} for ${src}`);
    return undefined;
  }
  const out = pickText(value, ADDRESS_KEYS);
  const country = out.country?.trim().toUpperCase();
  if (!country || !/^[A-Z]{2}$/.test(country)) {
    log(`Missing or invalid country code in postal address for ${src}: ${JSON.stringify(value)}`);
    return undefined;
  }
  return { ...out, country };
}

function pickText(value: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const v = value[key];
    if (typeof v === 'string' && v !== '') out[key] = v;
    else if (typeof v === 'number') out[key] = String(v);
  }
  return out;
}
