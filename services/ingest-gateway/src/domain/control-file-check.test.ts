import { describe, expect, it } from 'vitest';
import { ValidationError } from '@usersync/platform';
import { checkControlFile, controlFileErrorBody } from './control-file-check.js';

const valid = {
  dataImportControlFileVersion: 0,
  model: 'haplo:user-sync',
  files: { users: { read: 'json' }, staff: { read: 'csv' } },
  instructions: [{ source: 'id', destination: 'user', name: 'username' }],
};

describe('checkControlFile', () => {
  it('returns the sorted expected files with _control', () => {
    expect(checkControlFile(JSON.stringify(valid)).expectedFiles).toEqual(['_control', 'staff', 'users']);
  });

  it('requires a top-level username rule (hazard H1)', () => {
    const err = (() => {
      try {
        checkControlFile(JSON.stringify({ ...valid, instructions: [] }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toMatch(
      /^File named _control is not a valid control file:\n {2}\$\.instructions: No simple rule/,
    );
    expect((err as ValidationError).details).toEqual([
      { path: '$.instructions', message: expect.stringMatching(/No simple rule/) },
    ]);
  });

  it("uses Haplo's three body forms", () => {
    expect(
      controlFileErrorBody([
        { path: '$', message: 'Control file was not valid JSON: x', code: 'INVALID_JSON', severity: 'error' },
      ]),
    ).toBe('Control file was not valid JSON: x');
    expect(
      controlFileErrorBody([
        {
          path: '$.model',
          message: 'model property in control file must be set to "haplo:user-sync"',
          code: 'BAD_MODEL',
          severity: 'error',
        },
      ]),
    ).toBe('model property in control file must be set to "haplo:user-sync"');
    expect(
      controlFileErrorBody([
        { path: '$.a', message: 'one', code: 'BAD_PROPERTY', severity: 'error' },
        { path: '$.b', message: 'two', code: 'BAD_PROPERTY', severity: 'error' },
      ]),
    ).toBe('File named _control is not a valid control file:\n  $.a: one\n  $.b: two');
  });
});
