/**
 * The telephone conversion's one question, behind a narrow interface: libphonenumber-js's answer, with a
 * port of its parse for plain inputs (phone-fast.ts) in front. possible-e164.test.ts and
 * phone-fast.test.ts check the answers equal the library's.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { fastPossibleE164 } from './phone-fast.js';

/**
 * `parsePhoneNumberFromString(text, country)?.number` when that number `isPossible()`, else undefined.
 * `text` is trimmed; `country` is a supported ISO code in upper case.
 */
export function possibleE164(text: string, country: CountryCode): string | undefined {
  const fast = fastPossibleE164(text, country);
  if (fast !== undefined) return fast ?? undefined;
  const parsed = parsePhoneNumberFromString(text, country);
  return parsed?.isPossible() ? parsed.number : undefined;
}
