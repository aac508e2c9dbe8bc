/**
 * Seeded malformed SCIM requests: mutated resource, PatchOp and BulkRequest bodies, hostile filters and
 * paging, odd content types and methods, against every SCIM route. `{{AUTH}}` is the Bearer key and
 * `{{ID}}` an existing user's id, filled in by the test.
 */
import { rng, type FuzzCase } from './fuzz-cases.js';

const WEIRD: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  '',
  ' ',
  'True',
  '\u0000',
  '\uFFFF',
  '😀'.repeat(50),
  'x'.repeat(5000),
  [],
  {},
  [[[]]],
  { a: { b: { c: {} } } },
];
const ATTRS = [
  'userName',
  'name',
  'name.givenName',
  'emails',
  'emails[type eq "work"].value',
  'active',
  'members',
  'id',
  'meta',
  'groups',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
  'x[',
  ']',
  '..',
  'emails[value co ',
  'a.b.c.d',
];
const FILTERS = [
  'userName eq',
  'eq "x"',
  '(((((',
  'userName eq "x" and',
  'not',
  'emails[type eq "work"',
  'userName gt true',
  'active co "x"',
  'meta.created gt "not a date"',
  'a'.repeat(3000),
  '"unterminated',
  'userName eq "x" or '.repeat(200) + 'userName eq "y"',
  'userName eq "\\"',
  '[]',
  'userName pr pr',
];

export function scimFuzzCases(seed: number, count: number): FuzzCase[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const weird = () => pick(WEIRD);
  const body = (): string => {
    switch (Math.floor(rand() * 6)) {
      case 0: {
        const user: Record<string, unknown> = {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: `fz${Math.floor(rand() * 1e6)}`,
        };
        for (let i = 0; i < 3; i++) user[pick(ATTRS)] = weird();
        return JSON.stringify(user);
      }
      case 1:
        return JSON.stringify({
          schemas: [pick(['urn:ietf:params:scim:api:messages:2.0:PatchOp', 'x'])],
          Operations: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({
            op: pick(['add', 'Replace', 'remove', 'move', weird()]),
            path: pick([...ATTRS, weird()]),
            value: weird(),
          })),
        });
      case 2:
        return JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
          Operations: [
            {
              method: pick(['POST', 'DELETE', weird()]),
              path: pick(['/users', '/Groups', weird()]),
              bulkId: weird(),
              data: weird(),
            },
          ],
          failOnErrors: weird(),
        });
      case 3:
        return JSON.stringify(weird());
      case 4:
        return '{"userName": "a", '.slice(0, Math.floor(rand() * 18));
      default:
        return Buffer.from(Array.from({ length: 40 }, () => Math.floor(rand() * 256))).toString('latin1');
    }
  };
  const cases: FuzzCase[] = [];
  for (let n = 0; n < count; n++) {
    const [method, path] = pick([
      ['POST', '/Users'],
      ['POST', '/Groups'],
      ['PUT', '/Users/{{ID}}'],
      ['PATCH', '/Users/{{ID}}'],
      ['PATCH', '/Groups/00000000-0000-0000-0000-000000000000'],
      ['POST', '/Users/.search'],
      ['POST', '/bulkUpload'],
      [
        'GET',
        `/Users?filter=${encodeURIComponent(pick(FILTERS))}&startIndex=${encodeURIComponent(String(weird()))}&count=${encodeURIComponent(String(weird()))}`,
      ],
      ['GET', `/Groups?filter=${encodeURIComponent(pick(FILTERS))}&attributes=${encodeURIComponent(pick(ATTRS))}`],
      ['GET', `/Users/${encodeURIComponent(String(weird()).slice(0, 200))}`],
      ['DELETE', '/Users/not-an-id'],
      ['OPTIONS', '/Users'],
      ['GET', '/Schemas/%ZZ'],
    ] as const);
    const payload = method === 'GET' || method === 'DELETE' || method === 'OPTIONS' ? '' : body();
    const type = pick([
      'application/scim+json',
      'application/json',
      'text/plain',
      'application/scim+json; charset=latin1',
      '',
      'multipart/form-data',
    ]);
    const bytes = Buffer.from(payload, 'latin1');
    const head = [
      `${method} /scim/v2${path} HTTP/1.1`,
      'Host: fuzz.test',
      'Authorization: {{AUTH}}',
      ...(type ? [`Content-Type: ${type}`] : []),
      `Content-Length: ${bytes.length}`,
      'Connection: close',
    ].join('\r\n');
    cases.push({
      label: `${method} ${path.split('?')[0]} ${type}`,
      bytes: Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), bytes]),
    });
  }
  return cases;
}
