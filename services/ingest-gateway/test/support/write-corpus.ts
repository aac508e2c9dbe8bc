/**
 * Writes the seed cases of the fuzz corpus (the classes issue 21 measured as 500s or hangs, and the
 * ones this suite found): `node --import tsx services/ingest-gateway/test/support/write-corpus.ts`.
 * Files found later by the fuzz run are added beside them as `found-*.http`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { BOUNDARY, multipart, serialise, validUpload, type Request } from './fuzz-cases.js';
import { CORPUS_DIR } from './fuzz-run.js';

const AUTH: [string, string] = ['Authorization', '{{AUTH}}'];
const up = validUpload();
const get = (path: string): Request => ({ method: 'GET', path, headers: [AUTH], body: Buffer.alloc(0) });
const withType = (type: string, body = up.body): Request => ({ ...up, headers: [AUTH, ['Content-Type', type]], body });
const fileAt = up.body.indexOf('[{"username"');

const cases: Record<string, Buffer> = {
  'truncated-mid-file.4xx': serialise({ ...up, body: up.body.subarray(0, fileAt + 20) }),
  'truncated-before-first-boundary.4xx': serialise({ ...up, body: up.body.subarray(0, 10) }),
  'truncated-in-part-headers.4xx': serialise({ ...up, body: up.body.subarray(0, 60) }),
  'truncated-after-name-field.4xx': serialise({ ...up, body: up.body.subarray(0, up.body.indexOf('users') + 5) }),
  'content-type-no-boundary.4xx': serialise(withType('multipart/form-data')),
  'content-type-empty-boundary.4xx': serialise(withType('multipart/form-data; boundary=')),
  'content-type-unterminated-quote.4xx': serialise(withType('multipart/form-data; boundary="abc')),
  'content-type-wrong-boundary.4xx': serialise(withType('multipart/form-data; boundary=nope')),
  'content-type-text-plain.4xx': serialise(withType('text/plain')),
  'content-type-urlencoded.4xx': serialise(withType('application/x-www-form-urlencoded')),
  'content-type-mixed.4xx': serialise(withType(`multipart/mixed; boundary=${BOUNDARY}`)),
  'bare-lf-part-headers.4xx': serialise({
    ...up,
    body: multipart(
      [
        { name: 'name', content: 'users' },
        { name: 'file', filename: 'u.json', content: '[]' },
      ],
      BOUNDARY,
      '\n',
    ),
  }),
  'flipped-boundary-byte.4xx': serialise({
    ...up,
    body: Buffer.from(
      up.body
        .toString('latin1')
        .replace(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"`,
          `--${BOUNDARY.replace('u', 'U')}\r\nContent-Disposition: form-data; name="file"`,
        ),
      'latin1',
    ),
  }),
  'proto-field-name.4xx': serialise({
    ...up,
    body: multipart([
      { name: 'name', content: 'users' },
      { name: '__proto__', content: 'x' },
      { name: 'file', filename: 'u.json', content: '[]' },
    ]),
  }),
  'too-many-parts.4xx': serialise({
    ...up,
    body: multipart(Array.from({ length: 45 }, (_, i) => ({ name: `f${i}`, content: 'x' }))),
  }),
  'file-before-name.4xx': serialise({
    ...up,
    body: multipart([
      { name: 'file', filename: 'u.json', content: '[]' },
      { name: 'name', content: 'users' },
    ]),
  }),
  'no-parts.4xx': serialise({ ...up, body: multipart([]) }),
  'json-field-not-json.4xx': serialise({
    ...up,
    body: multipart([
      { name: 'name', content: '{users', headers: ['Content-Type: application/json'] },
      { name: 'file', filename: 'u.json', content: '[]' },
    ]),
  }),
  'duplicate-name-in-query.4xx': serialise({
    ...up,
    path: `${up.path}?name=users&name=groups`,
    body: multipart([{ name: 'file', filename: 'u.json', content: '[]' }]),
  }),
  'run-id-bad-percent-encoding.4xx': serialise(get('/api/user-sync/runs/%ZZ')),
  'runs-list-bad-limit.4xx': serialise(get('/api/haplo-user-sync/runs?limit=1e3')),
  'unknown-route.4xx': serialise(get('/api/user-sync/nothing-here')),
  'chunked-bad-size.4xx': Buffer.concat([
    serialise({ ...up, headers: [...up.headers, ['Transfer-Encoding', 'chunked']], body: Buffer.alloc(0) }),
    Buffer.from('zz\r\nabc\r\n0\r\n\r\n'),
  ]),
  'content-length-and-chunked.4xx': serialise({
    ...up,
    headers: [...up.headers, ['Content-Length', '5'], ['Transfer-Encoding', 'chunked']],
    body: Buffer.from('0\r\n\r\n'),
  }),
  'content-length-overstated.4xx': serialise({
    ...up,
    headers: [...up.headers, ['Content-Length', String(up.body.length + 1000)]],
  }),
  'start-sync-bad-json.4xx': serialise({
    method: 'POST',
    path: '/api/user-sync/start-sync/json',
    headers: [AUTH, ['Content-Type', 'application/json']],
    body: Buffer.from('{"bad": '),
  }),
  'start-sync-xml-body.4xx': serialise({
    method: 'POST',
    path: '/api/user-sync/start-sync/xml',
    headers: [AUTH, ['Content-Type', 'application/xml']],
    body: Buffer.from('<sync/>'),
  }),
  'header-bare-lf.4xx': serialise(get('/api/user-sync/runs'), '\n'),
  'valid-upload.2xx': serialise(up),
  'valid-start-sync-json.2xx': serialise({
    method: 'POST',
    path: '/api/haplo-user-sync/start-sync/json',
    headers: [AUTH],
    body: Buffer.alloc(0),
  }),
};

mkdirSync(CORPUS_DIR, { recursive: true });
for (const [name, bytes] of Object.entries(cases)) writeFileSync(`${CORPUS_DIR}${name}.http`, bytes);
console.log(`wrote ${Object.keys(cases).length} corpus cases to ${CORPUS_DIR}`);
