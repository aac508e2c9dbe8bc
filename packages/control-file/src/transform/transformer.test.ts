import { describe, expect, it } from 'vitest';
import { ControlFileEngineError } from '../errors.js';
import { parseControlFile } from '../validation/parse-control-file.js';
import type { ProfileSchema } from '../model/profile-schema.js';
import type { ControlFile } from '../validation/validate-control.js';
import { createTransformer } from './transformer.js';

/** Test helper: a control file with a username rule plus the given instructions. */
export function controlWith(instructions: unknown[], extra: Record<string, unknown> = {}): ControlFile {
  const r = parseControlFile(
    JSON.stringify({
      dataImportControlFileVersion: 0,
      model: 'haplo:user-sync',
      files: { people: { read: 'json' } },
      instructions: [
        { source: 'ID', destination: 'user', name: 'username' },
        { source: 'FIRST', destination: 'user', name: 'nameFirst' },
        { source: 'LAST', destination: 'user', name: 'nameLast' },
        { source: 'EMAIL', destination: 'user', name: 'email' },
        ...instructions,
      ],
      ...extra,
    }),
  );
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.controlFile;
}

export const PERSON = { ID: 'JB1', FIRST: 'Joe', LAST: 'Bloggs', EMAIL: 'joe@example.com' };

/** Transforms one record (record number 0) through `instructions`. */
export function run(instructions: unknown[], record: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return createTransformer(controlWith(instructions, extra)).transform({ ...PERSON, ...record }, 0);
}

const profileOf = (instructions: unknown[], record: Record<string, unknown>, extra = {}) =>
  run(instructions, record, extra).desired?.profile;

describe('createTransformer', () => {
  it('builds the desired user from a record', () => {
    const r = run(
      [
        { source: 'TITLE', destination: 'user', name: 'title' },
        { source: 'DEPT', destination: 'user:tags', name: 'dept' },
        { action: 'set-value', destination: 'user', name: 'groups', value: 'b:group', multivalue: true },
        { action: 'set-value', destination: 'user', name: 'groups', value: 'a:group', multivalue: true },
        { action: 'set-value', destination: 'user', name: 'groups', value: 'b:group', multivalue: true },
      ],
      { TITLE: 'Dr', DEPT: 'CHEM' },
    );
    expect(r).toEqual({
      username: 'jb1',
      complete: true,
      errors: [],
      desired: {
        username: 'jb1',
        title: 'Dr',
        nameFirst: 'Joe',
        nameLast: 'Bloggs',
        email: 'joe@example.com',
        groups: ['a:group', 'b:group'],
        tags: { dept: 'CHEM' },
        profile: {},
      },
    });
  });

  it('reports missing required values in Haplo order with the record suffix', () => {
    const t = createTransformer(controlWith([]));
    expect(t.transform({ ID: 'X1', LAST: 'L' }, 7)).toEqual({
      username: 'x1',
      complete: false,
      errors: ['Missing values in user: nameFirst, email (record 7, user x1)'],
    });
  });

  it('reports a record without a username', () => {
    const t = createTransformer(controlWith([]));
    expect(t.transform({ ID: '', FIRST: 'A' }, 4)).toEqual({
      complete: false,
      errors: ['No username in record 4: {"ID":"","FIRST":"A"}'],
    });
    expect(t.usernameOf({ ID: 'MiXeD' })).toBe('mixed');
    expect(t.usernameOf('not an object')).toBeUndefined();
  });

  it('applies the username rule conversions (mapInputValue, filters)', () => {
    const cf = parseControlFile(
      JSON.stringify({
        dataImportControlFileVersion: 0,
        model: 'usersync',
        files: { p: { read: 'json' } },
        instructions: [{ source: 'ID', destination: 'user', name: 'username', mapInputValue: { old: 'New' } }],
      }),
    );
    if (!cf.ok) throw new Error('invalid');
    expect(createTransformer(cf.controlFile).usernameOf({ ID: 'old' })).toBe('new');
    expect(createTransformer(cf.controlFile).usernameOf({ ID: 42 })).toBe('42');
  });

  it('refuses a control file without a username rule (hazard H1)', () => {
    const r = parseControlFile(
      JSON.stringify({
        dataImportControlFileVersion: 0,
        model: 'haplo:user-sync',
        files: { p: { read: 'json' } },
        instructions: [{ action: 'within', source: 'X', instructions: [] }],
      }),
    );
    if (!r.ok) throw new Error('invalid');
    expect(() => createTransformer(r.controlFile)).toThrow(ControlFileEngineError);
    expect(() => createTransformer(r.controlFile)).toThrow(/^No simple rule for extracting username/);
  });

  describe('field', () => {
    it('skips falsy values except 0 (hazard H5)', () => {
      const ins = [{ source: 'V', destination: 'user:tags', name: 'v' }];
      for (const V of ['', null, false, undefined]) expect(run(ins, { V }).desired?.tags).toEqual({});
      expect(run(ins, { V: 0 }).desired?.tags).toEqual({ v: '0' });
      expect(run(ins, { V: true }).desired?.tags).toEqual({ v: 'true' });
    });

    it('does not read inherited properties', () => {
      expect(run([{ source: 'constructor', destination: 'user:tags', name: 'c' }], {}).desired?.tags).toEqual({});
    });

    it('replaces single-value names and appends multivalue ones only with multivalue:true', () => {
      const g = (multivalue: boolean) =>
        run(
          [
            { source: 'A', destination: 'user', name: 'groups', multivalue: true },
            { source: 'B', destination: 'user', name: 'groups', multivalue },
          ],
          { A: 'x', B: 'y' },
        ).desired?.groups;
      expect(g(true)).toEqual(['x', 'y']);
      expect(g(false)).toEqual(['y']);
      expect(
        run(
          [
            { source: 'A', destination: 'user', name: 'title' },
            { source: 'B', destination: 'user', name: 'title' },
          ],
          { A: 'Mr', B: 'Dr' },
        ).desired?.title,
      ).toBe('Dr');
    });

    it('writes profile values as lists and replaces without multivalue', () => {
      const ins = (mv: boolean) => [
        { source: 'A', destination: 'profile', name: 'std:attribute:job-title', multivalue: true },
        { source: 'B', destination: 'profile', name: 'std:attribute:job-title', multivalue: mv },
      ];
      expect(profileOf(ins(true), { A: 'a', B: 'b' })).toEqual({ 'std:attribute:job-title': ['a', 'b'] });
      expect(profileOf(ins(false), { A: 'a', B: 'b' })).toEqual({ 'std:attribute:job-title': ['b'] });
      // A single-valued schema attribute never gets a second value.
      expect(
        profileOf(
          [
            { source: 'A', destination: 'profile', name: 'std:attribute:office', multivalue: true },
            { source: 'B', destination: 'profile', name: 'std:attribute:office', multivalue: true },
          ],
          { A: 'a', B: 'b' },
        ),
      ).toEqual({ 'std:attribute:office': ['b'] });
    });
  });

  it('set-value writes a constant', () => {
    expect(
      run([{ action: 'set-value', destination: 'user:tags', name: 'src', value: 'hr' }], {}).desired?.tags,
    ).toEqual({
      src: 'hr',
    });
  });

  it('remove-values clears earlier writes', () => {
    const r = run(
      [
        { action: 'set-value', destination: 'user', name: 'groups', value: 'g', multivalue: true },
        { action: 'remove-values', destination: 'user', name: 'groups' },
        { action: 'set-value', destination: 'profile', name: 'std:attribute:office', value: 'B1' },
        { action: 'remove-values', destination: 'profile', name: 'std:attribute:office' },
        { action: 'set-value', destination: 'user:tags', name: 't', value: 'x' },
        { action: 'remove-values', destination: 'user:tags', name: 't' },
      ],
      {},
    );
    expect(r.desired).toMatchObject({ groups: [], profile: {}, tags: {} });
  });

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
