/**
 * A seeded, deterministic generator of malformed upload-API requests: mutations of valid
 * upload-file / start-sync / runs requests, plus the classes issue 21 measured (truncated multipart,
 * odd Content-Type and boundaries, flipped bytes, bare LF in part headers, missing and duplicate
 * parts, huge headers, wrong methods, bad query strings, bad JSON/XML bodies). Same seed, same cases.
 */

import {
  BAD_LIST_QUERIES,
  BAD_QUERIES,
  BAD_RUN_IDS,
  BAD_START_BODIES,
  BOUNDARY,
  ODD_CONTENT_TYPES,
} from './fuzz-inputs.js';

export { BOUNDARY } from './fuzz-inputs.js';

/** mulberry32: small, fast, good enough to pick mutations reproducibly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzCase {
  label: string;
  /** The request bytes; `{{AUTH}}` stands for the Authorization header value. */
  bytes: Buffer;
}

export interface Request {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

const PREFIXES = ['/api/user-sync', '/api/haplo-user-sync'];

/** Serialises a request; Content-Length is the body's unless the headers already give one. */
export function serialise(req: Request, lineEnd = '\r\n'): Buffer {
  const headers = [...req.headers];
  if (!headers.some(([k]) => k.toLowerCase() === 'content-length' || k.toLowerCase() === 'transfer-encoding')) {
    headers.push(['Content-Length', String(req.body.length)]);
  }
  const head =
    `${req.method} ${req.path} HTTP/1.1${lineEnd}Host: 127.0.0.1${lineEnd}` +
    headers.map(([k, v]) => `${k}: ${v}${lineEnd}`).join('') +
    lineEnd;
  return Buffer.concat([Buffer.from(head, 'latin1'), req.body]);
}

export interface Part {
  name: string;
  filename?: string;
  content: string | Buffer;
  headers?: string[];
}

/** A multipart/form-data body of `parts`, lines ending in `eol` (CRLF unless a test wants bare LF). */
export function multipart(parts: Part[], boundary = BOUNDARY, eol = '\r\n'): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition =
      `Content-Disposition: form-data; name="${p.name}"` +
      (p.filename !== undefined ? `; filename="${p.filename}"` : '');
    const head = [`--${boundary}`, disposition, ...(p.headers ?? []), ''].join(eol) + eol;
    chunks.push(Buffer.from(head, 'latin1'), Buffer.from(p.content), Buffer.from(eol, 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--${eol}`, 'latin1'));
  return Buffer.concat(chunks);
}

const AUTH: [string, string] = ['Authorization', '{{AUTH}}'];
const USERS = JSON.stringify([{ username: 'fuzz1', first: 'F', last: 'Z', email: 'fuzz1@example.org' }]);

/** A valid upload of `users` (the data file the fuzz run's control file expects). */
export function validUpload(prefix = PREFIXES[0]!, content = USERS): Request {
  return {
    method: 'POST',
    path: `${prefix}/upload-file`,
    headers: [AUTH, ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`]],
    body: multipart([
      { name: 'name', content: 'users' },
      { name: 'file', filename: 'users.json', content, headers: ['Content-Type: application/json'] },
    ]),
  };
}

function validStartSync(prefix: string, form: string): Request {
  return { method: 'POST', path: `${prefix}/start-sync${form}`, headers: [AUTH], body: Buffer.alloc(0) };
}

const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;

function truncate(req: Request, r: () => number): Request {
  return { ...req, body: req.body.subarray(0, Math.floor(r() * req.body.length)) };
}

function flip(req: Request, r: () => number): Request {
  const body = Buffer.from(req.body);
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) body[Math.floor(r() * body.length)] = Math.floor(r() * 256);
  return { ...req, body };
}

function bareLf(prefix: string): Request {
  const req = validUpload(prefix);
  return {
    ...req,
    body: multipart(
      [
        { name: 'name', content: 'users' },
        { name: 'file', filename: 'users.json', content: USERS },
      ],
      BOUNDARY,
      '\n',
    ),
  };
}

function partsVariant(prefix: string, r: () => number): Request {
  const req = validUpload(prefix);
  const name = { name: 'name', content: 'users' };
  const file = { name: 'file', filename: 'users.json', content: USERS };
  const variants: Part[][] = [
    [],
    [name],
    [file],
    [file, name],
    [name, file, file],
    [name, name, file],
    [{ name: 'name', content: '' }, file],
    [{ name: 'name', content: 'bad name!' }, file],
    [{ name: 'name', content: 'unknown' }, file],
    [name, { name: 'file', content: USERS }],
    [name, { ...file, headers: ['Content-Type: '] }],
    [name, { name: '', filename: 'x', content: 'y' }],
    [name, { name: '__proto__', content: 'x' }, file],
    [name, { name: 'constructor', content: 'x' }, file],
    Array.from({ length: 45 }, (_, i) => ({ name: `f${i}`, content: 'x' })),
    [
      { name: 'name', content: '_control' },
      { name: 'file', filename: '_control.json', content: '{"model": ' },
    ],
    [
      { name: 'name', content: '_control' },
      { name: 'file', filename: '_control.json', content: '[]' },
    ],
  ];
  return { ...req, body: multipart(pick(r, variants)) };
}

function hugeHeaders(prefix: string, r: () => number): Request {
  const req = validUpload(prefix);
  const big = r() < 0.5;
  const headers: Array<[string, string]> = big
    ? [...req.headers, ['X-Big', 'a'.repeat(20_000)]]
    : [...req.headers, ...Array.from({ length: 300 }, (_, i): [string, string] => [`X-H${i}`, 'v'.repeat(60)])];
  return { ...req, headers };
}

/** The generated cases: `count` of them from `seed`. */
export function generateCases(seed: number, count: number): FuzzCase[] {
  const r = rng(seed);
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const prefix = pick(r, PREFIXES);
    const kind = Math.floor(r() * 12);
    let req: Request;
    let label: string;
    let eol = '\r\n';
    switch (kind) {
      case 0:
        [label, req] = ['truncated multipart', truncate(validUpload(prefix), r)];
        break;
      case 1: {
        const type = pick(r, ODD_CONTENT_TYPES);
        req = validUpload(prefix);
        req = { ...req, headers: [AUTH, ['Content-Type', type]] };
        label = `content-type ${JSON.stringify(type)}`;
        break;
      }
      case 2:
        [label, req] = ['flipped bytes', flip(validUpload(prefix), r)];
        break;
      case 3:
        [label, req] = ['bare LF in part headers', r() < 0.5 ? bareLf(prefix) : truncate(bareLf(prefix), r)];
        break;
      case 4:
        [label, req] = ['missing/duplicate parts', partsVariant(prefix, r)];
        break;
      case 5:
        [label, req] = ['huge headers', hugeHeaders(prefix, r)];
        break;
      case 6: {
        const method = pick(r, ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'FOO']);
        const target = pick(r, ['/upload-file', '/start-sync', '/start-sync/json', '/runs', '/runs/1']);
        label = `method ${method} ${target}`;
        req = { method, path: `${prefix}${target}`, headers: [AUTH], body: Buffer.alloc(0) };
        break;
      }
      case 7: {
        const q = pick(r, BAD_QUERIES);
        const base = validUpload(prefix);
        label = `upload query ${q.slice(0, 40)}`;
        req = { ...base, path: base.path + q };
        break;
      }
      case 8: {
        const q = r() < 0.5 ? `/runs${pick(r, BAD_LIST_QUERIES)}` : `/runs/${pick(r, BAD_RUN_IDS)}`;
        label = `GET ${q}`;
        req = { method: 'GET', path: prefix + q, headers: [AUTH], body: Buffer.alloc(0) };
        break;
      }
      case 9: {
        const [type, body] = pick(r, BAD_START_BODIES);
        const form = pick(r, ['', '/json', '/xml']);
        label = `start-sync${form} ${type}`;
        req = { ...validStartSync(prefix, form), headers: [AUTH, ['Content-Type', type]], body: Buffer.from(body) };
        if (r() < 0.3) req = flip(req, r);
        break;
      }
      case 10: {
        // Transfer-Encoding games: bad chunk sizes, both TE and CL, a chunked body cut short.
        const base = validUpload(prefix);
        const variant = Math.floor(r() * 3);
        const chunked = Buffer.concat([
          Buffer.from(`${variant === 0 ? 'zz' : base.body.length.toString(16)}\r\n`),
          variant === 2 ? base.body.subarray(0, 100) : base.body,
          Buffer.from(variant === 2 ? '' : '\r\n0\r\n\r\n'),
        ]);
        const headers: Array<[string, string]> = [...base.headers, ['Transfer-Encoding', 'chunked']];
        if (variant === 1) headers.push(['Content-Length', '5']);
        [label, req] = [`chunked variant ${variant}`, { ...base, headers, body: chunked }];
        break;
      }
      default:
        // A mutation of any valid request: line endings in the head, flipped bytes, truncation.
        req = pick(r, [validUpload(prefix), validStartSync(prefix, pick(r, ['', '/json', '/xml']))]);
        req = r() < 0.5 ? flip(req, r) : truncate(req, r);
        if (r() < 0.2) eol = '\n';
        label = 'mutated valid request';
    }
    cases.push({ label, bytes: serialise(req, eol) });
  }
  return cases;
}
