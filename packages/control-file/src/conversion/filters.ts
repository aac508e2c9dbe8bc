/** A value filter (reference §2.5). Filters never log errors; they change or pass values. */
export type Filter = (value: unknown) => unknown;

// "host/path" without a scheme: at least one dot in the host, no spaces, no colon anywhere.
const HOST_PATH = /^[^\s/:]+\.[^\s/:]+(\/\S*)?$/;

const FILTERS: Record<string, Filter> = {
  'haplo:to-lower-case': (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  'haplo:to-upper-case': (v) => (typeof v === 'string' ? v.toUpperCase() : v),
  // Haplo calls value.toString(); null/undefined would throw there, here they pass unchanged.
  'haplo:to-string': (v) => (v === null || v === undefined ? v : String(v)),
  'haplo:fix-up-url': (v) => (typeof v === 'string' && !v.includes(':') && HOST_PATH.test(v) ? `https://${v}` : v),
};

export const FILTER_NAMES: readonly string[] = Object.keys(FILTERS);

export function getFilter(name: string): Filter | undefined {
  return Object.hasOwn(FILTERS, name) ? FILTERS[name] : undefined;
}
