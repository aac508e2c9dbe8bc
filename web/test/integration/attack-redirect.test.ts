/**
 * Open redirects through the login's `next=` (issue 21 item 5): only same-origin relative paths are
 * followed. Each Location is resolved the way a browser resolves it (WHATWG URL, which drops tabs and
 * newlines and reads `\` as `/`), so `/\evil`, `/<TAB>/evil` and friends count as the escapes they are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startPortal, submitLogin, type TestPortal } from '../support.js';

const ORIGIN = 'http://portal.test';
const HOSTILE = [
  'https://evil.example/',
  'http:evil.example',
  '//evil.example',
  '///evil.example',
  '////evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  ' //evil.example',
  '%2F%2Fevil.example',
  '/%2F/evil.example',
  '/%5Cevil.example',
  'javascript:alert(document.domain)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'evil.example',
  '/login\r\nSet-Cookie: x=1',
];

let portal: TestPortal;
beforeAll(async () => {
  portal = await startPortal();
});
afterAll(async () => {
  await portal?.close();
});

/** Where a browser would go from this Location header (resolved against the portal's origin). */
const destination = (location: string) => new URL(location, `${ORIGIN}/login`);

describe('login next=', () => {
  it('never leaves the portal, whatever next= says', async () => {
    for (const next of HOSTILE) {
      const res = await submitLogin(portal.app, { ...ADMIN, next });
      expect(res.statusCode, JSON.stringify(next)).toBe(303);
      const location = String(res.headers.location);
      expect(destination(location).origin, `${JSON.stringify(next)} → ${JSON.stringify(location)}`).toBe(ORIGIN);
      expect(location, JSON.stringify(next)).not.toMatch(/[\t\r\n\\]/);
      expect(res.headers['set-cookie']?.toString() ?? '', JSON.stringify(next)).not.toMatch(/x=1/);
    }
  });

  it('follows a same-origin path, with its query', async () => {
    for (const next of ['/runs', '/runs/5?tab=plan&q=a%20b', '/users/alice']) {
      const res = await submitLogin(portal.app, { ...ADMIN, next });
      expect(res.headers.location).toBe(next);
    }
  });

  it('keeps next= in the login form escaped, for every hostile value', async () => {
    for (const next of HOSTILE) {
      const page = await portal.app.inject({ url: `/login?next=${encodeURIComponent(next)}` });
      expect(page.statusCode).toBeLessThan(500);
      expect(page.body).not.toContain('<script>alert(1)</script>');
    }
  });
});
