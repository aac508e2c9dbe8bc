/** The auth hook's answers, with a hand-written verifier (the real key-service path is in test/integration). */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { parseCredentials } from '@usersync/platform';
import { registerApiAuth, type KeyCheck } from './api-auth.hook.js';

function app(check: KeyCheck) {
  const fastify = Fastify();
  registerApiAuth(fastify, { readSecret: parseCredentials, verify: async () => check });
  fastify.get('/x', async (request) => request.actor);
  return fastify;
}
const basic = `Basic ${Buffer.from('haplo:secret').toString('base64')}`;

describe('registerApiAuth', () => {
  it('answers 403 Not permitted for a known key without the scope', async () => {
    const res = await app({ valid: false, keyId: 'k1', name: 'n', reason: 5 }).inject({
      url: '/x',
      headers: { authorization: basic },
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).toBe('Not permitted');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('answers 401 with a challenge for no credentials and for an invalid key', async () => {
    const none = await app({ valid: true, keyId: 'k', name: 'n', reason: 0 }).inject({ url: '/x' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="usersync"');
    const bad = await app({ valid: false, keyId: '', name: '', reason: 2 }).inject({
      url: '/x',
      headers: { authorization: basic },
    });
    expect(bad.statusCode).toBe(401);
  });

  it('records the key as the actor', async () => {
    const res = await app({ valid: true, keyId: 'k1', name: 'HR export', reason: 0 }).inject({
      url: '/x',
      headers: { authorization: 'Bearer secret' },
    });
    expect(res.json()).toEqual({ kind: 'api_key', id: 'k1', displayName: 'HR export' });
  });
});
