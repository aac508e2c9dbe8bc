import { describe, expect, it } from 'vitest';
import { CONTROL_FILE_NAME, FILE_NAME_PATTERN, isUploadName } from './validate-files.js';

// The one upload-name rule (run-state re-exports it as UPLOAD_NAME / isUploadName for the edges).
describe('isUploadName', () => {
  it("follows Haplo's name rule: letters, digits, underscore and hyphen", () => {
    for (const name of ['people', 'staff_2024', 'a-b', CONTROL_FILE_NAME]) expect(isUploadName(name)).toBe(true);
    for (const name of ['', 'a b', 'x.json', '../x', 'é', 'a/b']) expect(isUploadName(name)).toBe(false);
    expect(FILE_NAME_PATTERN.source).toBe('^[A-Za-z0-9_-]+$');
  });

  it('applies a length limit only when given', () => {
    expect(isUploadName('x'.repeat(1000))).toBe(true);
    expect(isUploadName('abc', 3)).toBe(true);
    expect(isUploadName('abcd', 3)).toBe(false);
  });
});
