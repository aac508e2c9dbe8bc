import { Metadata } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/min/metadata';

// libphonenumber-js spends most of a parse building `new RegExp(...)` from metadata strings (several per
// number) and allocating metadata wrappers. This is a port of its `parsePhoneNumberFromString(text,
// country)?.isPossible()` path (v1.13, min metadata: the metadata the default entry point uses) for the
// plain inputs HR feeds hold: ASCII digits, an optional leading `+`, and spaces, hyphens, dots and
// brackets. Each step mirrors the library function named in its comment, with regexes compiled once per
// pattern. Anything else falls back to the library, and phone-fast.test.ts compares both on a wide sample.

interface NumberingPlanLike {
  callingCode(): string;
  IDDPrefix(): string | undefined;
  nationalNumberPattern(): string | undefined;
  possibleLengths(): number[] | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  leadingDigits(): string | undefined;
  type(name: string): { pattern(): string | undefined; possibleLengths(): number[] | undefined } | undefined;
}

interface MetadataLike {
  numberingPlan?: NumberingPlanLike;
  selectNumberingPlan(key: string): void;
  hasCallingCode(callingCode: string): boolean | undefined;
  isNonGeographicCallingCode(callingCode: string): boolean;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
}

interface NumberType {
  possibleLengths: number[] | undefined;
  re: RegExp;
}

/** One numbering plan with its regexes compiled. */
interface Plan {
  callingCode: string;
  idd: RegExp;
  nationalNumber: RegExp;
  possibleLengths: number[] | undefined;
  prefixForParsing: RegExp | undefined;
  transformRule: string | undefined;
  leadingDigits: RegExp | undefined;
  /** FIXED_LINE first, then getNumberType's other types, only those with a pattern. */
  types: NumberType[];
}

const TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
];
const MIN_LENGTH_FOR_NSN = 2;
const MAX_LENGTH_FOR_NSN = 17;
const MAX_FAST_INPUT = 64;

const metadata = new Metadata(metadataJson) as unknown as MetadataLike;
const plans = new Map<string, Plan>();
const whole = new Map<string, RegExp>();
const countryPlans = new Map<string, Array<{ country: string; plan: Plan }> | undefined>();

// matchesEntirely: `new RegExp('^(?:' + pattern + ')$')`, built once per pattern here.
function entire(pattern: string | undefined): RegExp {
  const key = String(pattern);
  let re = whole.get(key);
  if (!re) {
    re = new RegExp('^(?:' + key + ')$');
    whole.set(key, re);
  }
  return re;
}

/** Metadata.selectNumberingPlan(key): a country code, or a calling code (its main country's plan). */
function planFor(key: string): Plan {
  let plan = plans.get(key);
  if (plan) return plan;
  metadata.selectNumberingPlan(key);
  const np = metadata.numberingPlan as NumberingPlanLike;
  const npfp = np.nationalPrefixForParsing();
  const leading = np.leadingDigits();
  const types: NumberType[] = [];
  for (const name of TYPES) {
    const t = np.type(name);
    const pattern = t?.pattern();
    if (t && pattern) types.push({ possibleLengths: t.possibleLengths(), re: entire(pattern) });
  }
  plan = {
    callingCode: np.callingCode(),
    idd: new RegExp(np.IDDPrefix() as string),
    nationalNumber: entire(np.nationalNumberPattern()),
    possibleLengths: np.possibleLengths(),
    prefixForParsing: npfp ? new RegExp('^(?:' + npfp + ')') : undefined,
    transformRule: np.nationalPrefixTransformRule(),
    // `nationalNumber.search(leadingDigits) === 0` is a match anchored at the start.
    leadingDigits: leading ? new RegExp('^(?:' + leading + ')') : undefined,
    types,
  };
  plans.set(key, plan);
  return plan;
}

// checkNumberLength (no type, no country override).
function lengthCheck(nationalNumber: string, plan: Plan): 'IS_POSSIBLE' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH' {
  const lengths = plan.possibleLengths;
  if (!lengths) return 'IS_POSSIBLE';
  const n = nationalNumber.length;
  if (lengths[0] === n) return 'IS_POSSIBLE';
  if (lengths[0] > n) return 'TOO_SHORT';
  if (lengths[lengths.length - 1] < n) return 'TOO_LONG';
  return lengths.indexOf(n, 1) >= 0 ? 'IS_POSSIBLE' : 'INVALID_LENGTH';
}

// getNumberType(...) !== undefined
function hasNumberType(nationalNumber: string, plan: Plan): boolean {
  if (!plan.nationalNumber.test(nationalNumber)) return false;
  for (const t of plan.types) {
    if (t.possibleLengths && t.possibleLengths.indexOf(nationalNumber.length) < 0) continue;
    if (t.re.test(nationalNumber)) return true;
  }
  return false;
}

// The last answer of countryByCallingCode: a national number that had its prefix stripped asks it twice, once
// in nationalNumberOf and again in fastPossibleE164, and each time may run the largest regexes of the plan.
let lastCallingCode = '';
let lastNationalNumber = '';
let lastCountry: string | undefined;

// getCountryByCallingCode / getCountryByNationalNumber
function countryByCallingCode(callingCode: string, nationalNumber: string): string | undefined {
  if (callingCode === lastCallingCode && nationalNumber === lastNationalNumber) return lastCountry;
  lastCountry = findCountry(callingCode, nationalNumber);
  lastCallingCode = callingCode;
  lastNationalNumber = nationalNumber;
  return lastCountry;
}

function findCountry(callingCode: string, nationalNumber: string): string | undefined {
  const countries = countriesOf(callingCode);
  if (!countries) return undefined;
  if (countries.length === 1) return countries[0].country;
  for (const { country, plan } of countries) {
    if (plan.leadingDigits) {
      if (nationalNumber && plan.leadingDigits.test(nationalNumber)) return country;
    } else if (hasNumberType(nationalNumber, plan)) {
      return country;
    }
  }
  return undefined;
}

/** getCountryCodesForCallingCode, each country with its plan (looked up once per calling code). */
function countriesOf(callingCode: string): Array<{ country: string; plan: Plan }> | undefined {
  if (countryPlans.has(callingCode)) return countryPlans.get(callingCode);
  const countries = metadata
    .getCountryCodesForCallingCode(callingCode)
    ?.map((country) => ({ country, plan: planFor(country) }));
  countryPlans.set(callingCode, countries);
  return countries;
}

// extractNationalNumberFromPossiblyIncompleteNumber (national number only)
function stripNationalPrefix(number: string, plan: Plan): string {
  if (!number || !plan.prefixForParsing) return number;
  const m = plan.prefixForParsing.exec(number);
  if (!m) return number;
  const groups = m.length - 1;
  const hasGroups = groups > 0 && m[groups];
  if (plan.transformRule && hasGroups) return number.replace(plan.prefixForParsing, plan.transformRule);
  return number.slice(m[0].length);
}

// extractNationalNumber(number, undefined, metadata)
function nationalNumberOf(number: string, plan: Plan): string {
  const after = stripNationalPrefix(number, plan);
  if (after === number) return after;
  // shouldHaveExtractedNationalPrefix
  if (plan.nationalNumber.test(number) && !plan.nationalNumber.test(after)) return number;
  if (plan.possibleLengths) {
    const country = countryByCallingCode(plan.callingCode, after);
    const check = lengthCheck(after, country ? planFor(country) : plan);
    if (check === 'TOO_SHORT' || check === 'INVALID_LENGTH') return number;
  }
  return after;
}

// stripIddPrefix
function stripIdd(number: string, plan: Plan): string | undefined {
  const m = plan.idd.exec(number);
  if (!m || m.index !== 0) return undefined;
  const rest = number.slice(m[0].length);
  const digit = /[0-9]/.exec(rest);
  if (digit && digit[0] === '0') return undefined;
  return rest;
}

// extractCountryCallingCodeFromInternationalNumberWithoutPlusSign
function callingCodeWithoutPlus(number: string, plan: Plan): string | undefined {
  const code = plan.callingCode;
  if (number.indexOf(code) !== 0) return undefined;
  const shorter = number.slice(code.length);
  const shorterNational = nationalNumberOf(shorter, plan);
  const national = nationalNumberOf(number, plan);
  if (
    (!plan.nationalNumber.test(national) && plan.nationalNumber.test(shorterNational)) ||
    lengthCheck(national, plan) === 'TOO_LONG'
  ) {
    return shorter;
  }
  return undefined;
}

/**
 * `parsePhoneNumberFromString(text, country)`, then `.number` when `.isPossible()`, else null; `undefined`
 * when `text` is outside the plain form this port covers (the caller then asks libphonenumber-js).
 * `text` is trimmed; `country` is a supported ISO code in upper case.
 */
export function fastPossibleE164(text: string, country: string): string | null | undefined {
  const n = text.length;
  if (n > MAX_FAST_INPUT) return undefined;
  let digits = '';
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits += text[i];
    // space ( ) - .
    else if (c === 0x20 || c === 0x28 || c === 0x29 || c === 0x2d || c === 0x2e) continue;
    else if (c !== 0x2b || i !== 0) return undefined;
  }
  // Fewer than three digits hits libphonenumber's special viability cases: leave those to it.
  if (digits.length < 3) return undefined;
  const plus = text.charCodeAt(0) === 0x2b;

  // extractCountryCallingCode
  let callingCode: string | undefined;
  let rest: string;
  let international = plus ? digits : undefined;
  if (!plus) {
    const home = planFor(country);
    const withoutIdd = stripIdd(digits, home);
    if (withoutIdd && withoutIdd !== digits) {
      international = withoutIdd;
    } else {
      const shorter = callingCodeWithoutPlus(digits, home);
      if (shorter !== undefined) callingCode = home.callingCode;
      rest = shorter ?? digits;
    }
  }
  if (international !== undefined) {
    if (international[0] === '0') return null;
    for (let i = 1; i <= 3 && i <= international.length; i++) {
      const code = international.slice(0, i);
      if (metadata.hasCallingCode(code)) {
        callingCode = code;
        rest = international.slice(i);
        break;
      }
    }
    if (callingCode === undefined) return null;
  }

  // parse.js parsePhoneNumber
  let exact: string | undefined;
  let plan: Plan;
  if (callingCode !== undefined) {
    plan = planFor(callingCode);
  } else {
    exact = country;
    plan = planFor(country);
    callingCode = plan.callingCode;
  }
  if (!rest!) return null;
  const national = nationalNumberOf(rest!, plan);
  const byCode = countryByCallingCode(callingCode, national);
  if (byCode) exact = byCode;

  if (national.length < MIN_LENGTH_FOR_NSN || national.length > MAX_LENGTH_FOR_NSN) return null;
  // PhoneNumber.isPossible(): the plan of the exact country, else of the calling code.
  const possiblePlan = planFor(exact ?? callingCode);
  if (!possiblePlan.possibleLengths) {
    if (metadata.isNonGeographicCallingCode(callingCode)) return '+' + callingCode + national;
    return undefined;
  }
  return lengthCheck(national, possiblePlan) === 'IS_POSSIBLE' ? '+' + callingCode + national : null;
}
