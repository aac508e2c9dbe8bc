import { describe, expect, it } from 'vitest';
import { defaultProfileSchema, parseProfileSchema } from './profile-schema.js';

describe('parseProfileSchema', () => {
  it('accepts the default schema as JSON text', () => {
    const r = parseProfileSchema(JSON.stringify(defaultProfileSchema));
    expect(r).toEqual({ ok: true, schema: defaultProfileSchema });
  });

  it('ships the documented default attributes', () => {
    expect(defaultProfileSchema.attributes.map((a) => [a.label, a.type])).toEqual([
      ['Job title', 'text'],
      ['Department', 'code'],
      ['Phone', 'telephone-number'],
      ['Mobile', 'telephone-number'],
      ['Office', 'text'],
      ['Employee ID', 'text'],
      ['Start date', 'datetime'],
      ['End date', 'datetime'],
      ['Manager username', 'text'],
      ['Postal address', 'postal-address'],
      ['Website', 'url'],
    ]);
  });

  it('reports every problem with its JSON path', () => {
    const r = parseProfileSchema({
      attributes: [
        { code: 'a', label: 'A', type: 'text', multivalue: false },
        { code: 'a', label: '', type: 'ref', multivalue: 'yes' },
        { code: 'bad code', label: 'B', type: 'text' },
        'x',
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.path, e.message])).toEqual([
      ['$.attributes[1].code', 'Duplicate attribute code: a'],
      ['$.attributes[1].label', 'Attribute label must be a non-empty string'],
      [
        '$.attributes[1].type',
        'Unknown attribute type: ref (expected one of text, code, boolean, datetime, integer, number, email-address, url, telephone-number, json, person-name, postal-address)',
      ],
      ['$.attributes[1].multivalue', 'multivalue must be a boolean'],
      ['$.attributes[2].code', 'Attribute code must be a string matching ^[A-Za-z0-9][A-Za-z0-9:_.-]*$'],
      ['$.attributes[3]', 'Attribute must be an object'],
    ]);
  });

  it('rejects bad JSON and wrong shapes', () => {
    expect(parseProfileSchema('{').ok).toBe(false);
    expect(parseProfileSchema({ attributes: {} })).toMatchObject({ ok: false, errors: [{ path: '$.attributes' }] });
    expect(parseProfileSchema({ attributes: [] })).toMatchObject({ ok: false, errors: [{ path: '$.attributes' }] });
  });
});
