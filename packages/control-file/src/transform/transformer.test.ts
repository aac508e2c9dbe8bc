import { describe, expect, it } from 'vitest';
import { ControlFileEngineError } from '../errors.js';
import { parseControlFile } from '../validation/parse-control-file.js';
import { controlWith, profileOf, run } from './transformer.fixture.js';
import { createTransformer } from './transformer.js';

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
});
