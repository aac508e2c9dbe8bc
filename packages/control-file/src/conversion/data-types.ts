import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import type { Instruction, JsonValue } from '../model/types.js';
import type { DataType } from '../model/user-sync-model.js';
import { possibleE164 } from '../engine/phone/possible-e164.js';
import { compileDateFormat } from './datetime.js';
import { toPersonName, toPostalAddress, type Log } from './structured.js';

/** Converts a (mapped, filtered) value to the name's data type; `undefined` means "drop the value". */
export type TypeConversion = (value: unknown, log: Log) => JsonValue | undefined;

/** Thrown while building a converter when the instruction's options cannot work (reported at validation). */
export class ConversionSetupError extends Error {
  constructor(
    readonly property: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConversionSetupError';
  }
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Builds the conversion for `type`, reading type options (`dateFormat`, `trueValue`, `country`…) from `instr`. */
export function createTypeConversion(type: DataType, instr: Instruction, src: string): TypeConversion {
  switch (type) {
    case 'text':
    case 'code':
      return (v, log) => {
        if (typeof v === 'string') return v;
        if (typeof v === 'number' || typeof v === 'boolean') return String(v);
        // Haplo drops a list or object here without a word, so a feed sending `"groups": ["a", "b"]`
        // silently loses them. Say so, and how to read a list.
        if (typeof v === 'object' && v !== null) {
          const hint = Array.isArray(v) ? ' (read a list with for-each and wrapValues)' : '';
          log(`Invalid text value for ${src}: ${show(v)}${hint}`);
        }
        return undefined;
      };
    case 'boolean':
      return booleanConversion(instr, src);
    case 'datetime':
      return datetimeConversion(instr, src);
    case 'integer':
      return (v, log) => {
        const n = typeof v === 'number' ? v : typeof v === 'string' ? parseInt(v, 10) : NaN;
        // Haplo's round-trip check: "12abc" and "1.5" are not integers.
        if (Number.isSafeInteger(n) && (typeof v === 'number' || String(n) === String(v).trim())) return n;
        log(`Invalid integer value for ${src}: ${show(v)}`);
        return undefined;
      };
    case 'number':
      return (v, log) => {
        const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
        if (Number.isFinite(n)) return n;
        log(`Invalid number value for ${src}: ${show(v)}`);
        return undefined;
      };
    case 'email-address':
      return (v, log) => {
        if (typeof v === 'string' && v.trim().indexOf('@') > 0) return v.trim();
        log(`Invalid email address for ${src}: ${show(v)}`);
        return undefined;
      };
    case 'url':
      return (v, log) => {
        if (typeof v === 'string' && /^[A-Za-z][A-Za-z0-9+.-]*:\S/.test(v.trim())) return v.trim();
        log(`Invalid URL for ${src}: ${show(v)}`);
        return undefined;
      };
    case 'telephone-number':
      return telephoneConversion(instr, src);
    case 'json':
      return (v, log) => {
        if (typeof v === 'object' && v !== null) return v as JsonValue;
        if (typeof v === 'string') {
          try {
            const parsed: unknown = JSON.parse(v);
            if (typeof parsed === 'object' && parsed !== null) return parsed as JsonValue;
          } catch {
            // fall through to the error below
          }
        }
        log(`Invalid JSON value for ${src}: ${show(v)}`);
        return undefined;
      };
    case 'person-name':
      return (v) => toPersonName(v);
    case 'postal-address':
      return (v, log) => toPostalAddress(v, src, log);
  }
}

function booleanConversion(instr: Instruction, src: string): TypeConversion {
  const trueValue = instr.trueValue ?? 'true';
  const falseValue = instr.falseValue ?? 'false';
  if (typeof trueValue !== 'string') throw new ConversionSetupError('trueValue', 'trueValue must be a string');
  if (typeof falseValue !== 'string') throw new ConversionSetupError('falseValue', 'falseValue must be a string');
  return (v, log) => {
    if (typeof v === 'boolean') return v;
    if (v === trueValue) return true;
    if (v === falseValue) return false;
    log(`Invalid boolean value for ${src}: ${show(v)}`);
    return undefined;
  };
}

function datetimeConversion(instr: Instruction, src: string): TypeConversion {
  if (instr.dateFormat === undefined)
    throw new ConversionSetupError('dateFormat', `Date format not specified for ${src}`);
  if (typeof instr.dateFormat !== 'string') throw new ConversionSetupError('dateFormat', 'dateFormat must be a string');
  let compiled;
  try {
    compiled = compileDateFormat(instr.dateFormat);
  } catch (err) {
    throw new ConversionSetupError('dateFormat', `Invalid dateFormat for ${src}: ${(err as Error).message}`);
  }
  return (v, log) => {
    const out = typeof v === 'string' ? compiled.parse(v) : undefined;
    if (out === undefined) log(`Invalid date value for ${src}: ${show(v)}`);
    return out;
  };
}

/**
 * Numbers libphonenumber can parse become E.164 (`+441632960123`): one canonical form, so digests
 * do not change with formatting. Anything else is kept as written, as Haplo keeps unparseable text.
 */
function telephoneConversion(instr: Instruction, src: string): TypeConversion {
  const country = instr.country ?? 'GB';
  if (typeof country !== 'string' || !isSupportedCountry(country.toUpperCase())) {
    throw new ConversionSetupError('country', `Unknown country for ${src}: ${show(country)}`);
  }
  const defaultCountry = country.toUpperCase() as CountryCode;
  return (v) => {
    const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : undefined;
    if (!text) return undefined;
    return possibleE164(text, defaultCountry) ?? text;
  };
}
