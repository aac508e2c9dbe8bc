import { getCountries, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { possibleE164 } from './possible-e164.js';

/** libphonenumber-js alone: what the telephone conversion did before the fast path. */
function slow(text: string, country: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(text, country);
  return parsed?.isPossible() ? parsed.number : undefined;
}

describe('possibleE164', () => {
  it('answers as libphonenumber-js does, on plain inputs and on the ones the fast path leaves to it', () => {
    const texts = [
      '01632 960123',
      '+44 (0)1632 960123',
      '0044 1632 960123',
      '07700 900123',
      '+1 202-555-0143',
      '123',
      '12',
      'ext 12',
      '01632 960123 ext. 4',
      '+44 1632 960123#',
      '１２３４５６',
      'tel:+441632960123',
      '9'.repeat(65),
    ];
    const countries: CountryCode[] = ['GB', 'US', 'DE', 'FR', 'JE', ...getCountries().slice(0, 20)];
    for (const country of countries) {
      for (const text of texts) {
        expect({ country, text, out: possibleE164(text, country) }).toEqual({
          country,
          text,
          out: slow(text, country),
        });
      }
    }
  });
});
