import { describe, expect, it } from 'vitest';
import type { Instruction } from '../model/types.js';
import { buildConverter } from './converter.js';
import type { DataType } from '../model/user-sync-model.js';
import { getFilter } from './filters.js';

const SRC = 'input field X';

function convert(type: DataType, value: unknown, instr: Instruction = {}, mappings = {}) {
  const built = buildConverter({ instruction: instr, path: '$.i', type, src: SRC, mappings });
  if (!built.convert) throw new Error(built.problems.map((p) => p.message).join('; '));
  const errors: string[] = [];
  return { value: built.convert(value, (m) => errors.push(m)), errors };
}

describe('filters', () => {
  it('change case of strings only', () => {
    expect(getFilter('haplo:to-lower-case')!('AbC')).toBe('abc');
    expect(getFilter('haplo:to-upper-case')!('AbC')).toBe('ABC');
    expect(getFilter('haplo:to-lower-case')!(12)).toBe(12);
  });

  it('to-string stringifies', () => {
    expect(getFilter('haplo:to-string')!(12)).toBe('12');
    expect(getFilter('haplo:to-string')!(true)).toBe('true');
  });

  it('fix-up-url adds https:// to host/path strings only', () => {
    const f = getFilter('haplo:fix-up-url')!;
    expect(f('www.example.com/about')).toBe('https://www.example.com/about');
    expect(f('example.org')).toBe('https://example.org');
    expect(f('http://example.org')).toBe('http://example.org');
    expect(f('not a url')).toBe('not a url');
    expect(f('localhost')).toBe('localhost');
  });

  it('unknown filters are not available', () => {
    expect(getFilter('haplo:string-to-ref')).toBeUndefined();
    expect(getFilter('toString')).toBeUndefined();
  });
});

describe('value pipeline', () => {
  it('maps input values, with and without a default', () => {
    expect(convert('text', 'A', { mapInputValue: { A: 'alpha' } }).value).toBe('alpha');
    expect(convert('text', 'B', { mapInputValue: { A: 'alpha' } }).value).toBe('B');
    expect(convert('text', 'B', { mapInputValue: { A: 'alpha' }, mapInputValueDefault: 'other' }).value).toBe('other');
    expect(convert('text', 1, { mapInputValue: { '1': 'one' } }).value).toBe('one');
  });

  it('runs mapInputValue, then filters, then the type', () => {
    expect(convert('text', 'a', { mapInputValue: { a: 'Mixed' }, filters: ['haplo:to-upper-case'] }).value).toBe(
      'MIXED',
    );
  });

  it('maps through a mapping table to codes, with Haplo message on a miss', () => {
    const mappings = { depts: { values: { CHEM: 'dept:chemistry' } } };
    expect(convert('code', 'CHEM', { refMapping: 'depts' }, mappings).value).toBe('dept:chemistry');
    expect(convert('code', 'PHYS', { refMapping: 'depts' }, mappings)).toEqual({
      value: undefined,
      errors: ['Value in input data cannot be mapped for input field X: PHYS'],
    });
  });

  it('reports setup problems rather than throwing', () => {
    const built = buildConverter({
      instruction: { mapInputValue: 'x', filters: ['nope'], refMapping: 'm' },
      path: '$.i',
      type: 'boolean',
      src: SRC,
      mappings: { m: { values: {} } },
    });
    expect(built.problems.map((p) => [p.path, p.message])).toEqual([
      ['$.i.mapInputValue', "'mapInputValue' property is not an object"],
      ['$.i.filters[0]', 'Filter nope is not available.'],
      ['$.i.refMapping', 'refMapping maps to codes, so it needs a text or code name, not boolean'],
    ]);
  });
});

describe('data types', () => {
  it('text accepts strings, numbers and booleans', () => {
    expect(convert('text', 'a').value).toBe('a');
    expect(convert('text', 12).value).toBe('12');
    expect(convert('text', true).value).toBe('true');
  });

  it('text refuses a list or an object with an error, where Haplo dropped it silently', () => {
    expect(convert('text', { a: 1 })).toEqual({
      value: undefined,
      errors: [`Invalid text value for ${SRC}: {"a":1}`],
    });
    expect(convert('text', ['staff', 'admin'])).toEqual({
      value: undefined,
      errors: [`Invalid text value for ${SRC}: ["staff","admin"] (read a list with for-each and wrapValues)`],
    });
  });

  it('boolean with default and custom true/false values', () => {
    expect(convert('boolean', 'true').value).toBe(true);
    expect(convert('boolean', 'false').value).toBe(false);
    expect(convert('boolean', true).value).toBe(true);
    expect(convert('boolean', 'Y', { trueValue: 'Y', falseValue: 'N' }).value).toBe(true);
    expect(convert('boolean', 'N', { trueValue: 'Y', falseValue: 'N' }).value).toBe(false);
    expect(convert('boolean', 'yes').errors).toEqual(['Invalid boolean value for input field X: yes']);
  });

  it('integer with round-trip check', () => {
    expect(convert('integer', '42').value).toBe(42);
    expect(convert('integer', ' -7 ').value).toBe(-7);
    expect(convert('integer', 5).value).toBe(5);
    expect(convert('integer', '12abc').errors).toEqual(['Invalid integer value for input field X: 12abc']);
    expect(convert('integer', '1.5').value).toBeUndefined();
    expect(convert('integer', 1.5).value).toBeUndefined();
  });

  it('number', () => {
    expect(convert('number', '1.25').value).toBe(1.25);
    expect(convert('number', 3).value).toBe(3);
    expect(convert('number', 'abc').errors).toEqual(['Invalid number value for input field X: abc']);
  });

  it('email-address needs an @ after the first character', () => {
    expect(convert('email-address', 'a@b.c').value).toBe('a@b.c');
    expect(convert('email-address', '@b.c').errors).toEqual(['Invalid email address for input field X: @b.c']);
    expect(convert('email-address', 'nope').value).toBeUndefined();
  });

  it('url needs a scheme', () => {
    expect(convert('url', 'https://example.com').value).toBe('https://example.com');
    expect(convert('url', 'mailto:a@b.c').value).toBe('mailto:a@b.c');
    expect(convert('url', 'example.com').errors).toEqual(['Invalid URL for input field X: example.com']);
    expect(convert('url', 'example.com', { filters: ['haplo:fix-up-url'] }).value).toBe('https://example.com');
  });

  it('telephone-number normalises to E.164 with a default country of GB', () => {
    expect(convert('telephone-number', '01632 960123').value).toBe('+441632960123');
    expect(convert('telephone-number', '+1 202-555-0143').value).toBe('+12025550143');
    expect(convert('telephone-number', '(202) 555-0143', { country: 'US' }).value).toBe('+12025550143');
    expect(convert('telephone-number', 'ext 12')).toEqual({ value: 'ext 12', errors: [] });
    const bad = buildConverter({
      instruction: { country: 'XX' },
      path: '$.i',
      type: 'telephone-number',
      src: SRC,
      mappings: {},
    });
    expect(bad.problems[0].message).toBe('Unknown country for input field X: XX');
  });

  it('json accepts objects, arrays and JSON text of them', () => {
    expect(convert('json', { a: 1 }).value).toEqual({ a: 1 });
    expect(convert('json', '[1,2]').value).toEqual([1, 2]);
    expect(convert('json', 'plain').errors).toEqual(['Invalid JSON value for input field X: plain']);
  });

  describe('datetime', () => {
    const d = (value: unknown, dateFormat: string) => convert('datetime', value, { dateFormat });

    it('parses date-only patterns to YYYY-MM-DD', () => {
      expect(d('2021-06-01', 'yyyy-MM-dd').value).toBe('2021-06-01');
      expect(d('1/6/2021', 'd/M/yyyy').value).toBe('2021-06-01');
      expect(d('01/06/21', 'dd/MM/yy').value).toBe('2021-06-01');
      expect(d('01/06/95', 'dd/MM/yy').value).toBe('1995-06-01');
      expect(d('20210601', 'yyyyMMdd').value).toBe('2021-06-01');
      expect(d('1 Jun 2021', 'd MMM yyyy').value).toBe('2021-06-01');
      expect(d('1 June 2021', 'd MMMM yyyy').value).toBe('2021-06-01');
      expect(d('Tue, 1 Jun 2021', 'EEE, d MMM yyyy').value).toBe('2021-06-01');
    });

    it('parses times, AM/PM, fractions and zones to a UTC instant', () => {
      expect(d('2021-06-01 14:30:05', 'yyyy-MM-dd HH:mm:ss').value).toBe('2021-06-01T14:30:05.000Z');
      expect(d('2021-06-01 02:30 PM', 'yyyy-MM-dd hh:mm a').value).toBe('2021-06-01T14:30:00.000Z');
      expect(d('2021-06-01 12:00 AM', 'yyyy-MM-dd hh:mm a').value).toBe('2021-06-01T00:00:00.000Z');
      expect(d('2021-06-01T14:30:05.123', "yyyy-MM-dd'T'HH:mm:ss.SSS").value).toBe('2021-06-01T14:30:05.123Z');
      expect(d('2021-06-01T14:30:05+0100', "yyyy-MM-dd'T'HH:mm:ssZ").value).toBe('2021-06-01T13:30:05.000Z');
      expect(d('2021-06-01T14:30:05+01:00', "yyyy-MM-dd'T'HH:mm:ssXXX").value).toBe('2021-06-01T13:30:05.000Z');
      expect(d('2021-06-01T14:30:05Z', "yyyy-MM-dd'T'HH:mm:ssX").value).toBe('2021-06-01T14:30:05.000Z');
      expect(d("01 o'clock 2021-06-01", "HH 'o''clock' yyyy-MM-dd").value).toBe('2021-06-01T01:00:00.000Z');
    });

    it('rejects values that do not match, out-of-range fields and trailing text', () => {
      expect(d('2021-13-01', 'yyyy-MM-dd').errors).toEqual(['Invalid date value for input field X: 2021-13-01']);
      expect(d('2021-02-30', 'yyyy-MM-dd').value).toBeUndefined();
      expect(d('2021-06-01x', 'yyyy-MM-dd').value).toBeUndefined();
      expect(d('June', 'yyyy').value).toBeUndefined();
      expect(d(20210601, 'yyyyMMdd').value).toBeUndefined();
    });

    it('requires a valid dateFormat', () => {
      const missing = buildConverter({ instruction: {}, path: '$.i', type: 'datetime', src: SRC, mappings: {} });
      expect(missing.problems.map((p) => [p.path, p.message])).toEqual([
        ['$.i.dateFormat', 'Date format not specified for input field X'],
      ]);
      const quote = buildConverter({
        instruction: { dateFormat: "yyyy 'x" },
        path: '$.i',
        type: 'datetime',
        src: SRC,
        mappings: {},
      });
      expect(quote.problems[0].message).toMatch(/unterminated quote/);
    });
  });

  it('postal-address rejects non-objects', () => {
    expect(convert('postal-address', 'x').errors).toEqual(['Invalid postal address: "x" for input field X']);
  });
});
