import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { fastPossibleE164 } from './phone-fast.js';

// A small seeded PRNG so failures reproduce.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

/** What the telephone-number conversion did before the fast path: libphonenumber-js alone. */
function slow(text: string, country: CountryCode): string | null {
  const parsed = parsePhoneNumberFromString(text, country);
  return parsed?.isPossible() ? parsed.number : null;
}

const COUNTRIES = getCountries();
// Countries with shared calling codes, national-prefix transform rules, carrier codes or odd lengths.
const TRICKY: CountryCode[] = ['GB', 'JE', 'GG', 'IM', 'US', 'CA', 'AG', 'VI', 'AR', 'MX', 'BR', 'CO', 'RU', 'KZ'];
const TRICKY_PREFIXES = ['1534', '1481', '1624', '7700', '7911', '800', '2079', '340', '9', '15', '011', '0'];

function generate(random: () => number, count: number): Array<{ text: string; country: CountryCode }> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  const format = (d: string) => {
    // Group the digits with one separator style, sometimes bracketing the first group.
    const sep = pick([' ', '-', '.', '', ' ']);
    const parts: string[] = [];
    for (let i = 0; i < d.length;) {
      const len = 2 + Math.floor(random() * 3);
      parts.push(d.slice(i, i + len));
      i += len;
    }
    if (parts.length > 1 && random() < 0.2) parts[0] = `(${parts[0]})`;
    return parts.join(sep);
  };
  const out: Array<{ text: string; country: CountryCode }> = [];
  for (let i = 0; i < count; i++) {
    const country = random() < 0.4 ? pick(TRICKY) : pick(COUNTRIES);
    const other = random() < 0.7 ? country : pick(COUNTRIES);
    const cc = getCountryCallingCode(other);
    const body = (random() < 0.3 ? pick(TRICKY_PREFIXES) : '') + digits(Math.floor(random() * 13));
    let text: string;
    switch (Math.floor(random() * 7)) {
      case 0: // E.164
        text = `+${cc}${body}`;
        break;
      case 1: // international, formatted
        text = `+${cc} ${format(body)}`;
        break;
      case 2: // national with trunk prefix
        text = format(`0${body}`);
        break;
      case 3: // national without prefix
        text = format(body);
        break;
      case 4: // IDD prefix instead of +
        text = `${pick(['00', '011', '810', '0011'])} ${cc} ${format(body)}`;
        break;
      case 5: // calling code without +
        text = `${cc}${body}`;
        break;
      default: // UK style "+44 (0)…"
        text = `+${cc} (0)${format(body)}`;
    }
    if (random() < 0.05) text = `${text}-`; // trailing punctuation
    out.push({ text: text.trim(), country });
  }
  return out;
}

describe('fastPossibleE164', () => {
  it('gives exactly libphonenumber-js results on 20,000 generated numbers across all countries', () => {
    const samples = generate(rng(20260417), 20_000);
    const mismatches: string[] = [];
    const unhandled: string[] = [];
    let possible = 0;
    for (const { text, country } of samples) {
      const fast = fastPossibleE164(text, country);
      if (fast === undefined) {
        // Only the forms the fast path is documented to skip may fall back.
        if ((text.match(/[0-9]/g) ?? []).length >= 3) unhandled.push(text);
        continue;
      }
      if (fast !== null) possible++;
      const expected = slow(text, country);
      if (fast !== expected) mismatches.push(`${country} ${JSON.stringify(text)}: fast ${fast}, library ${expected}`);
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
    // The fast path must carry the sample, with both outcomes well represented, or this test proves little.
    expect(unhandled).toEqual([]);
    expect(possible).toBeGreaterThan(3_000);
    expect(possible).toBeLessThan(15_000);
  });

  it('matches the library on UK numbers in everyday formats', () => {
    const cases = [
      '01632 960123',
      '01632960123',
      '+44 1632 960123',
      '+44 (0)1632 960123',
      '+441632960123',
      '0044 1632 960123',
      '441632960123',
      '07700 900123',
      '(01534) 123456',
      '01481 123456',
      '01624 123456',
      '020 7946 0000',
      '0800 123 4567',
      '123',
      '+0 123 456',
      '+999 123456',
      '00 0 1234',
      '001',
      '+1 202-555-0143',
    ];
    for (const text of cases) {
      expect({ text, out: fastPossibleE164(text, 'GB') }).toEqual({ text, out: slow(text, 'GB') });
    }
  });

  it('leaves inputs outside its plain form to the library', () => {
    for (const text of [
      'ext 12',
      '01632 960123 ext. 4',
      '+44 1632 960123#',
      '１２３４５６',
      'tel:+441632960123',
      '12',
    ]) {
      expect(fastPossibleE164(text, 'GB')).toBeUndefined();
    }
    expect(fastPossibleE164('9'.repeat(65), 'GB')).toBeUndefined();
  });
});
