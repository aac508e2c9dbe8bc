/**
 * Java SimpleDateFormat patterns (the `dateFormat` of Haplo control files), compiled to a strict parser.
 * Supported letters: y M d H h k K m s S a E Z X, quoted literals ('' is a quote). Unlike Java's lenient
 * default we reject out-of-range fields and trailing text, so bad dates are reported rather than rolled over.
 */

type Field = 'y' | 'M' | 'd' | 'H' | 'h' | 'k' | 'K' | 'm' | 's' | 'S' | 'a' | 'E' | 'Z' | 'X';
/** `width` of a numeric field: its exact digit count when a numeric field follows (yyyyMMdd), else 0 (any). */
type Token =
  | { kind: 'literal'; text: string }
  | { kind: 'field'; letter: Field; count: number }
  | { kind: 'number'; letter: Field; count: number; width: number };

export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  /** Offset from UTC in minutes, when the pattern has a zone. */
  offset?: number;
}

export interface CompiledDateFormat {
  hasTime: boolean;
  parse(input: string): string | undefined;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FULL_MONTHS = MONTHS.map((_, i) =>
  new Date(Date.UTC(2000, i, 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' }).toLowerCase(),
);
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const FIELD_LETTERS = new Set('yMdHhkKmsSaEZX'.split(''));
const NUMERIC = new Set('yMdHhkKmsS'.split(''));

/** Throws an Error with a readable message when the pattern uses unsupported letters or bad quoting. */
export function compileDateFormat(pattern: string): CompiledDateFormat {
  const tokens = numericFields(tokenize(pattern));
  const hasTime = tokens.some((t) => t.kind !== 'literal' && 'HhkKmsSa'.includes(t.letter));
  return { hasTime, parse: (input) => format(parseWith(tokens, input.trim()), hasTime) };
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        tokens.push({ kind: 'literal', text: "'" });
        i += 2;
        continue;
      }
      let text = '';
      i++;
      for (;;) {
        if (i >= pattern.length) throw new Error(`unterminated quote in date format "${pattern}"`);
        if (pattern[i] === "'" && pattern[i + 1] === "'") {
          text += "'";
          i += 2;
        } else if (pattern[i] === "'") {
          i++;
          break;
        } else {
          text += pattern[i++];
        }
      }
      tokens.push({ kind: 'literal', text });
    } else if (/[A-Za-z]/.test(c)) {
      if (!FIELD_LETTERS.has(c)) throw new Error(`unsupported letter '${c}' in date format "${pattern}"`);
      let count = 1;
      while (pattern[i + count] === c) count++;
      tokens.push({ kind: 'field', letter: c as Field, count });
      i += count;
    } else {
      tokens.push({ kind: 'literal', text: c });
      i++;
    }
  }
  return tokens;
}

const isNumeric = (t: Token | undefined) =>
  t !== undefined && t.kind === 'field' && NUMERIC.has(t.letter) && !(t.letter === 'M' && t.count >= 3);

/** Marks numeric fields, with their width: adjacent ones must be read at their exact width, as Java does. */
function numericFields(tokens: Token[]): Token[] {
  return tokens.map((t, i) =>
    t.kind === 'field' && isNumeric(t)
      ? { kind: 'number', letter: t.letter, count: t.count, width: isNumeric(tokens[i + 1]) ? t.count : 0 }
      : t,
  );
}

function parseWith(tokens: Token[], s: string): DateParts | undefined {
  const p: DateParts = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millis: 0 };
  let pm: boolean | undefined;
  let hour12: number | undefined;
  let pos = 0;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t];
    if (tok.kind === 'literal') {
      if (!s.startsWith(tok.text, pos)) return undefined;
      pos += tok.text.length;
      continue;
    }
    const { letter, count } = tok;
    if (tok.kind === 'number') {
      // Digits read in place (no regex, no slice): the value is exact up to 2^53, beyond any valid field.
      const start = pos;
      const end = tok.width > 0 ? pos + tok.width : s.length;
      let n = 0;
      for (let c = s.charCodeAt(pos); pos < end && c >= 0x30 && c <= 0x39; c = s.charCodeAt(++pos))
        n = n * 10 + c - 0x30;
      if (pos === start || (tok.width > 0 && pos !== end)) return undefined;
      if (letter === 'y') p.year = count === 2 && pos - start === 2 ? pivotYear(n) : n;
      else if (letter === 'M') p.month = n;
      else if (letter === 'd') p.day = n;
      else if (letter === 'H') p.hour = n;
      else if (letter === 'k') p.hour = n === 24 ? 0 : n;
      else if (letter === 'h' || letter === 'K') hour12 = letter === 'h' && n === 12 ? 0 : n;
      else if (letter === 'm') p.minute = n;
      else if (letter === 's') p.second = n;
      else if (letter === 'S') p.millis = Math.round(Number(`0.${s.slice(start, pos)}`) * 1000);
    } else if (letter === 'M') {
      const rest = s.slice(pos).toLowerCase();
      const full = FULL_MONTHS.findIndex((name) => rest.startsWith(name));
      const idx = full >= 0 ? full : MONTHS.findIndex((name) => rest.startsWith(name));
      if (idx < 0) return undefined;
      p.month = idx + 1;
      pos += full >= 0 ? FULL_MONTHS[full].length : 3;
    } else if (letter === 'E') {
      const rest = s.slice(pos).toLowerCase();
      const day =
        DAYS.find((d) => rest.startsWith(d)) ?? DAYS.map((d) => d.slice(0, 3)).find((d) => rest.startsWith(d));
      if (!day) return undefined;
      pos += day.length;
    } else if (letter === 'a') {
      const m = /^(am|pm)/i.exec(s.slice(pos));
      if (!m) return undefined;
      pm = m[1].toLowerCase() === 'pm';
      pos += 2;
    } else {
      const m = /^(?:Z(?![\d])|([+-])(\d{2}):?(\d{2})?)/.exec(s.slice(pos));
      if (!m) return undefined;
      p.offset = m[0] === 'Z' ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
      pos += m[0].length;
    }
  }
  if (pos !== s.length) return undefined;
  if (hour12 !== undefined) {
    if (hour12 > 11) return undefined;
    p.hour = hour12 + (pm ? 12 : 0);
  } else if (pm !== undefined && p.hour < 12 && pm) {
    p.hour += 12;
  }
  return valid(p) ? p : undefined;
}

// Java's rule for two-digit years: within 80 years before and 20 years after now.
function pivotYear(yy: number): number {
  const now = new Date().getUTCFullYear();
  const century = Math.floor((now - 80) / 100) * 100;
  let year = century + yy;
  if (year < now - 80) year += 100;
  return year;
}

function valid(p: DateParts): boolean {
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.hour > 23 || p.minute > 59 || p.second > 59) return false;
  const leap = p.year % 4 === 0 && (p.year % 100 !== 0 || p.year % 400 === 0);
  const daysInMonth = p.month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[p.month - 1];
  return p.day <= daysInMonth && p.year >= 1 && p.year <= 9999;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Date-only patterns give `YYYY-MM-DD`; patterns with a time give a UTC instant `YYYY-MM-DDTHH:mm:ss.sssZ`. */
function format(p: DateParts | undefined, hasTime: boolean): string | undefined {
  if (!p) return undefined;
  if (!hasTime && p.offset === undefined) return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to the 1900s.
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  d.setUTCHours(p.hour, p.minute, p.second, p.millis);
  if (p.offset) d.setTime(d.getTime() - p.offset * 60_000);
  return d.toISOString();
}
