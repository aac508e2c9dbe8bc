import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseBulkUpload } from './bulk-request.js';
import { normalizeResource } from './normalize.js';
import { USER_RESOURCE } from './resource-types.js';

const sample = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../docs/samples/entra/bulk-request.json', import.meta.url)), 'utf8'),
);

describe('parseBulkUpload', () => {
  it('reads the README sample (Microsoft’s lenient shape) into user operations', () => {
    const request = parseBulkUpload(sample);
    expect(request.failOnErrors).toBeUndefined();
    expect(request.operations.map((o) => [o.bulkId, o.problem])).toEqual([
      ['701984', undefined],
      ['701985', undefined],
    ]);
    expect(normalizeResource(USER_RESOURCE, request.operations[1]!.data)).toMatchObject({
      userName: 'leaver@contoso.com',
      active: false,
    });
  });

  it('gives a bad operation its own problem and refuses a bad request whole', () => {
    const ops = parseBulkUpload({
      Operations: [
        { method: 'PATCH', path: '/Users', data: {} },
        { method: 'post', path: '/Users/', data: 'x' },
      ],
    }).operations;
    expect(ops[0]!.problem?.detail).toMatch(/Operations\[0\]\.method must be "POST"/);
    expect(ops[1]!.problem?.detail).toMatch(/Operations\[1\]\.data must be a User object/);
    expect(() => parseBulkUpload({ Operations: new Array(3).fill({}) }, 2)).toThrow(/at most 2 operations/);
    expect(() => parseBulkUpload({ schemas: ['urn:nope'], Operations: [{}] })).toThrow(/BulkRequest/);
  });
});
