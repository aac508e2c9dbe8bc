import { describe, expect, it } from 'vitest';
import type { ProfileSchema } from '../model/profile-schema.js';
import { parseControlFile } from '../validation/parse-control-file.js';
import { controlWith, PERSON, run } from './transformer.fixture.js';
import { createTransformer } from './transformer.js';

describe('createTransformer: flow and structure', () => {
  describe('conditionals', () => {
    const tagIf = (cond: Record<string, unknown>) => [
      {
        ...cond,
        then: [{ action: 'set-value', destination: 'user:tags', name: 'r', value: 'then' }],
        else: [{ action: 'set-value', destination: 'user:tags', name: 'r', value: 'else' }],
      },
    ];
    const result = (cond: Record<string, unknown>, rec: Record<string, unknown>) =>
      run(tagIf(cond), rec).desired?.tags.r;

    it('if-exists is true for truthy values and 0', () => {
      const c = { action: 'if-exists', source: 'X' };
      expect(result(c, { X: 'a' })).toBe('then');
      expect(result(c, { X: 0 })).toBe('then');
      expect(result(c, { X: '' })).toBe('else');
      expect(result(c, { X: false })).toBe('else');
      expect(result(c, {})).toBe('else');
    });

    it('if-value-one-of uses strict equality', () => {
      const c = { action: 'if-value-one-of', source: 'X', values: ['1', 2, null] };
      expect(result(c, { X: '1' })).toBe('then');
      expect(result(c, { X: 1 })).toBe('else');
      expect(result(c, { X: 2 })).toBe('then');
      expect(result(c, { X: '2' })).toBe('else');
      expect(result(c, { X: null })).toBe('then');
      expect(result(c, {})).toBe('else');
      expect(result({ action: 'if-value-one-of', source: 'X' }, { X: 'a' })).toBe('else');
    });

    it('if-has-value checks the target, not the input', () => {
      const c = { action: 'if-has-value', destination: 'user', name: 'title' };
      expect(run([{ source: 'T', destination: 'user', name: 'title' }, ...tagIf(c)], { T: 'Dr' }).desired?.tags.r).toBe(
        'then',
      );
      expect(run(tagIf(c), { T: 'Dr' }).desired?.tags.r).toBe('else');
      const p = { action: 'if-has-value', destination: 'profile', name: 'std:attribute:office' };
      expect(result(p, {})).toBe('else');
    });

    it('if-has-value gives a default at the end of the list', () => {
      const ins = [
        { source: 'MAIL', destination: 'user', name: 'email' },
        {
          action: 'if-has-value',
          destination: 'user',
          name: 'email',
          else: [{ action: 'set-value', destination: 'user', name: 'email', value: 'none@example.com' }],
        },
      ];
      const t = createTransformer(controlWith(ins));
      expect(t.transform({ ID: 'a', FIRST: 'A', LAST: 'B' }, 0).desired?.email).toBe('none@example.com');
    });
  });

  describe('within and for-each', () => {
    it('within changes the context when the value is truthy', () => {
      const ins = [
        { action: 'within', source: 'ORG', instructions: [{ source: 'DEPT', destination: 'user:tags', name: 'dept' }] },
      ];
      expect(run(ins, { ORG: { DEPT: 'X' } }).desired?.tags).toEqual({ dept: 'X' });
      expect(run(ins, { ORG: null }).desired?.tags).toEqual({});
    });

    it('for-each iterates arrays and object values, with wrapValues for scalars', () => {
      const ins = [
        {
          action: 'for-each',
          source: 'JOBS',
          wrapValues: true,
          instructions: [
            { source: 'value', destination: 'profile', name: 'std:attribute:job-title', multivalue: true },
          ],
        },
        {
          action: 'for-each',
          source: 'ROLES',
          instructions: [{ source: 'code', destination: 'user', name: 'groups', multivalue: true }],
        },
      ];
      const r = run(ins, { JOBS: ['Lecturer', 'Tutor'], ROLES: { a: { code: 'g:2' }, b: { code: 'g:1' } } });
      expect(r.desired?.profile).toEqual({ 'std:attribute:job-title': ['Lecturer', 'Tutor'] });
      expect(r.desired?.groups).toEqual(['g:1', 'g:2']);
      expect(run(ins, { JOBS: 'not a list' }).desired?.profile).toEqual({});
    });
  });

  describe('record control', () => {
    it('abort-record stops the record and logs its message', () => {
      const r = run(
        [
          { action: 'if-exists', source: 'LEFT', then: [{ action: 'abort-record', message: 'Left the organisation' }] },
          { action: 'log-error', message: 'not reached' },
        ],
        { LEFT: 'yes' },
      );
      expect(r).toEqual({ username: 'jb1', complete: false, errors: ['Left the organisation (record 0, user jb1)'] });
    });

    it('log-error logs and continues', () => {
      const r = run([{ action: 'log-error', message: 'check me' }], {});
      expect(r.complete).toBe(true);
      expect(r.errors).toEqual(['check me (record 0, user jb1)']);
    });

    it('assert-destination checks whether user:tags was made ready', () => {
      const assert = (exists: boolean) => ({ action: 'assert-destination', destination: 'user:tags', exists });
      expect(run([assert(false)], {}).complete).toBe(true);
      expect(run([assert(true)], {}).errors).toEqual(['assert-destination failed: user:tags (record 0, user jb1)']);
      expect(
        run([{ action: 'set-value', destination: 'user:tags', name: 'a', value: 'b' }, assert(true)], {}).complete,
      ).toBe(true);
    });
  });

  describe('structured values', () => {
    const schema: { profileSchema: ProfileSchema } = {
      profileSchema: {
        attributes: [
          { code: 'name', label: 'Name', type: 'person-name', multivalue: false },
          { code: 'address', label: 'Address', type: 'postal-address', multivalue: false },
        ],
      },
    };
    const t = (instructions: unknown[], rec: Record<string, unknown>) => {
      const base = controlWith([]);
      const r = parseControlFile(
        JSON.stringify({ ...base.json, instructions: [...base.instructions, ...instructions] }),
        schema,
      );
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      return createTransformer(r.controlFile).transform({ ...PERSON, ...rec }, 0);
    };

    it('assembles a person name through value:person-name', () => {
      const ins = [
        { source: 'F', destination: 'value:person-name', name: 'first' },
        { source: 'L', destination: 'value:person-name', name: 'last' },
        { action: 'field-structured', structured: 'value:person-name', destination: 'profile', name: 'name' },
      ];
      expect(t(ins, { F: 'Ann', L: 'Lee' }).desired?.profile).toEqual({ name: [{ first: 'Ann', last: 'Lee' }] });
      // Without last, dropped silently.
      expect(t(ins, { F: 'Ann' }).desired?.profile).toEqual({});
    });

    it('assembles a postal address and checks its country', () => {
      const ins = [
        { source: 'S', destination: 'value:postal-address', name: 'street1' },
        { source: 'C', destination: 'value:postal-address', name: 'country' },
        { action: 'field-structured', structured: 'value:postal-address', destination: 'profile', name: 'address' },
      ];
      expect(t(ins, { S: '1 High St', C: 'gb' }).desired?.profile).toEqual({
        address: [{ street1: '1 High St', country: 'GB' }],
      });
      const bad = t(ins, { S: '1 High St', C: 'Britain' });
      expect(bad.errors).toEqual([
        'Missing or invalid country code in postal address for structured input field value:postal-address: {"street1":"1 High St","country":"Britain"} (record 0, user jb1)',
      ]);
      expect(bad.complete).toBe(true);
    });

    it('clears the pseudo-destination after use', () => {
      const ins = [
        { source: 'L', destination: 'value:person-name', name: 'last' },
        { action: 'field-structured', structured: 'value:person-name', destination: 'profile', name: 'name' },
        {
          action: 'if-has-value',
          destination: 'value:person-name',
          name: 'last',
          then: [{ action: 'log-error', message: 'still there' }],
        },
      ];
      expect(t(ins, { L: 'Lee' }).errors).toEqual([]);
    });
  });
});
