import { describe, expect, it } from 'vitest';
import { expectedFiles, parseControlFile } from './parse-control-file.js';
import { base, errorsOf } from './parse-control-file.fixture.js';

describe('parseControlFile', () => {
  it('accepts a valid control file and exposes files, order and the username rule', () => {
    const r = parseControlFile(JSON.stringify(base({ files: { staff: { read: 'csv' }, people: { read: 'json' } } })));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.controlFile.fileNames).toEqual(['staff', 'people']);
    expect(r.controlFile.hasUsernameRule).toBe(true);
    expect(r.controlFile.warnings).toEqual([]);
    expect(expectedFiles(r.controlFile)).toEqual(['_control', 'people', 'staff']);
  });

  it('accepts the usersync alias and bytes with a BOM', () => {
    const bytes = new TextEncoder().encode('\uFEFF' + JSON.stringify(base({ model: 'usersync' })));
    expect(parseControlFile(bytes).ok).toBe(true);
  });

  it('reports invalid JSON with line and column', () => {
    const [e] = errorsOf('{\n  "model": "haplo:user-sync",\n  "files": }');
    expect(e.path).toBe('$');
    expect(e.message).toMatch(/^Control file was not valid JSON: .*line 3, column 12/);
  });

  it('reports bytes that are not UTF-8', () => {
    const r = parseControlFile(new Uint8Array([0x7b, 0xff, 0x7d]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].message).toBe('Control file was not valid JSON: the file is not valid UTF-8');
  });

  it('says Not a control file without a version', () => {
    expect(errorsOf({ model: 'haplo:user-sync' })).toEqual([{ path: '$', message: 'Not a control file' }]);
    expect(errorsOf([1])).toEqual([{ path: '$', message: 'Not a control file' }]);
  });

  it('collects every root error at once', () => {
    expect(errorsOf({ dataImportControlFileVersion: 1 })).toEqual([
      { path: '$.dataImportControlFileVersion', message: 'Bad version of control file, should be 0' },
      { path: '$.model', message: 'Control file does not specify model in the model property' },
      {
        path: '$.instructions',
        message: 'Control file does not specify processing instructions in the instructions property',
      },
      { path: '$.files', message: 'Control file does not have files property' },
    ]);
  });

  it('requires the user-sync model', () => {
    expect(errorsOf(base({ model: 'haplo:person' }))).toEqual([
      { path: '$.model', message: 'model property in control file must be set to "haplo:user-sync"' },
    ]);
  });

  it('checks files: explicit names, name pattern, readers and options', () => {
    const errors = errorsOf(
      base({
        files: {
          DEFAULT: { read: 'json' },
          'bad name': { read: 'json' },
          _control: { read: 'json' },
          a: { read: 'xlsx' },
          b: {},
          c: 'json',
          d: { read: 'tsv-with-name-row', charset: 'klingon', separator: '' },
          e: { read: 'json', singleRecord: 'yes' },
        },
      }),
    );
    expect(errors).toEqual([
      {
        path: '$.files.DEFAULT',
        message: 'files must name every file explicitly: DEFAULT cannot be used in the user sync',
      },
      { path: '$.files["bad name"]', message: 'File name bad name must match ^[A-Za-z0-9_-]+$' },
      { path: '$.files._control', message: 'File name _control is reserved for the control file' },
      { path: '$.files.a.read', message: 'Unknown reader for file a: xlsx' },
      { path: '$.files.b.read', message: 'Reader not specified for file b' },
      { path: '$.files.c', message: 'File specification for c must be an object' },
      { path: '$.files.d.charset', message: 'Unknown charset for file d: klingon' },
      { path: '$.files.d.separator', message: 'separator must be a non-empty string without quotes or line breaks' },
      { path: '$.files.e.singleRecord', message: 'singleRecord must be true or false' },
    ]);
    expect(errorsOf(base({ files: {} }))).toEqual([{ path: '$.files', message: 'files must list at least one file' }]);
  });

  it('rejects a record processor', () => {
    expect(errorsOf(base({ recordProcessor: 'merge' }))).toEqual([
      { path: '$.recordProcessor', message: 'Unknown record processor specified in recordProcessor property: merge' },
    ]);
  });
});
