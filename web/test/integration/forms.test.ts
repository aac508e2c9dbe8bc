/**
 * Forms (issue 17 item 3) through app.inject() over a real key-service and PostgreSQL: every field
 * checked in one pass with a linked, focused error summary; the new key's secret shown once after a
 * redirect; key expiry and duplicate names; a form posted after the session expired kept and restored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysV1 } from '@usersync/contracts';
import { ConflictError, createGrpcClient, unary } from '@usersync/platform';
import { startKeyPortal, type KeyPortal } from '../key-service-env.js';
import { ADMIN, cookiesOf, form, signIn, submitLogin } from '../support.js';

let p: KeyPortal;
let s: { cookies: Record<string, string>; csrf: string };

const post = (url: string, fields: Record<string, string>, session = s, headers: Record<string, string> = {}) => {
  const body = form({ _csrf: session.csrf, ...fields });
  return p.app.inject({
    method: 'POST',
    url,
    cookies: session.cookies,
    headers: { ...body.headers, ...headers },
    payload: body.payload,
  });
};
const get = (url: string, cookies = s.cookies) => p.app.inject({ url, cookies });
const activeKeys = async () => (await p.keys.listKeys(false)).map((k) => k.name);

beforeAll(async () => {
  p = await startKeyPortal();
  s = await signIn(p.app);
}, 60_000);
afterAll(async () => {
  await p?.close();
});

describe('API key form', () => {
  it('reports every bad field at once, in a focused summary linked to the fields', async () => {
    const res = await post('/api-keys', { name: '', expiry: 'date', expiresOn: '2020-13-45' });
    expect(res.statusCode).toBe(400);
    const summary = /<div class="error-summary"[^>]*>([\s\S]*?)<\/div>/.exec(res.body)!;
    expect(summary[0]).toContain('autofocus');
    expect(summary[0]).toContain('tabindex="-1"');
    expect(summary[1]).toContain('href="#name"');
    expect(summary[1]).toContain('href="#expiresOn"');
    expect(res.body).toMatch(/<input id="name"[^>]*aria-describedby="name-hint name-error"[^>]*aria-invalid="true"/);
    expect(res.body).toMatch(/<p class="field-error" id="expiresOn-error"[^>]*>[^<]*is not a date/);
    // The summary takes the focus: no field is autofocused beside it.
    expect(res.body.match(/autofocus/g)).toHaveLength(1);
    const past = await post('/api-keys', { name: 'x', expiry: 'date', expiresOn: '2020-01-01' });
    expect(past.body).toContain('The expiry date must be after today.');
    const unknown = await post('/api-keys', { name: 'x', expiry: '7' });
    expect(unknown.body).toContain('Choose when the key expires.');
    expect(await activeKeys()).toEqual([]);
  });

  it('creates the key with its expiry, redirects, shows the secret once, and a reload creates nothing', async () => {
    const res = await post('/api-keys', { name: 'HR nightly export', expiry: '30' });
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/api-keys\/created\/[0-9a-f-]{36}$/);
    expect(res.body).not.toMatch(/usk_/);
    const first = await get(location);
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toContain('no-store');
    const value = /value="(usk_[^"]+)"/.exec(first.body)![1]!;
    expect(first.body).toContain('data-testid="api-key-secret"');
    const verifier = createGrpcClient(keysV1.KeyServiceClient, p.keyAddr);
    const verdict = await unary<keysV1.KeyServiceClient, 'verifyKey'>(verifier, 'verifyKey', {
      secret: value,
      requiredScope: '',
    });
    verifier.close();
    expect(verdict.valid).toBe(true);
    // Reload: already shown, no secret, still one key.
    const again = await get(location);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('data-testid="key-already-shown"');
    expect(again.body).toContain('was already shown');
    expect(again.body).not.toContain(value);
    expect(await activeKeys()).toEqual(['HR nightly export']);
    // The sealed value is gone from the database, and another session cannot open the ticket.
    const { rows } = await p.pool.query('SELECT sealed FROM admin.shown_once');
    expect(rows.every((r) => r.sealed === null)).toBe(true);
    const other = await signIn(p.app);
    expect((await get(location, other.cookies)).statusCode).toBe(410);
    const key = (await p.keys.listKeys(false))[0]!;
    const days = (key.expiresAt!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    const list = await get('/api-keys');
    expect(list.body).toMatch(/data-testid="key-expiry">[^<]+<br><span class="muted">in 30 days/);
  });

  it('seals the secret with the session token: the table alone cannot reveal it', async () => {
    const res = await post('/api-keys', { name: 'sealed check', expiry: 'never' });
    const { rows } = await p.pool.query<{ sealed: Buffer }>(
      'SELECT sealed FROM admin.shown_once WHERE sealed IS NOT NULL',
    );
    expect(rows).toHaveLength(1);
    const page = await get(res.headers.location as string);
    const value = /value="(usk_[^"]+)"/.exec(page.body)![1]!;
    expect(rows[0]!.sealed.toString('latin1')).not.toContain(value.slice(4, 20));
    expect(rows[0]!.sealed.toString('base64')).not.toContain(value.slice(4, 20));
  });

  it('refuses a duplicate active name (any case) as a field error; key-service says API_KEY_NAME_TAKEN', async () => {
    const res = await post('/api-keys', { name: '  hr NIGHTLY export ', expiry: 'never' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="name-error"[^>]*>An active key is already called/);
    const err = await p.keys
      .createKey({ name: 'HR Nightly Export', scopes: ['sync:upload'] }, { id: 'x', displayName: 'cli' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).code).toBe('API_KEY_NAME_TAKEN');
    // Revoked, the name is free again.
    const key = (await p.keys.listKeys(false)).find((k) => k.name === 'HR nightly export')!;
    await p.keys.revokeKey(key.id, { id: 'x', displayName: 'cli' });
    const reuse = await post('/api-keys', {
      name: 'HR nightly export',
      expiry: 'date',
      expiresOn: new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(reuse.statusCode).toBe(303);
  });

  it('makes a provisioning client a key of scope scim only, and an upload script one of sync:upload only', async () => {
    const form = await get('/api-keys/new');
    expect(form.body).toContain('What the key is for');
    expect(form.body).toMatch(/<option value="scim"[^>]*>A provisioning client/);
    expect((await post('/api-keys', { name: 'Entra provisioning', purpose: 'scim', expiry: 'never' })).statusCode).toBe(
      303,
    );
    expect((await post('/api-keys', { name: 'Nightly export', expiry: 'never' })).statusCode).toBe(303);
    const bad = await post('/api-keys', { name: 'Root', purpose: 'everything', expiry: 'never' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Choose what the key is for.');
    const scopes = Object.fromEntries((await p.keys.listKeys(false)).map((k) => [k.name, k.scopes]));
    expect(scopes['Entra provisioning']).toEqual(['scim']);
    expect(scopes['Nightly export']).toEqual(['sync:upload']);
    expect(scopes.Root).toBeUndefined();
  });

  it('marks expired keys in the list', async () => {
    await post('/api-keys', { name: 'old export', expiry: '30' });
    await p.pool.query(`UPDATE keys.api_key SET expires_at = now() - interval '1 day' WHERE name = 'old export'`);
    const list = await get('/api-keys');
    expect(list.body).toMatch(/<tr data-key-id="[^"]+" class="expired">\s*<td data-testid="key-name">old export/);
    expect(list.body).toContain('data-testid="key-expired">Expired');
  });
});

describe('sign-in form', () => {
  it('names both missing fields at once', async () => {
    const res = await submitLogin(p.app, { email: '', password: '' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('href="#email">Enter your email address.');
    expect(res.body).toContain('href="#password">Enter your password.');
    expect(res.body).toMatch(/<input id="password"[^>]*aria-invalid="true"/);
  });
});

describe('a form posted after the session expired', () => {
  async function expiredSession() {
    const session = await signIn(p.app);
    await p.pool.query('DELETE FROM admin.session');
    s = await signIn(p.app);
    return session;
  }

  it('keeps the input (never the CSRF token or a password), returns to the form after sign-in and restores it', async () => {
    const old = await expiredSession();
    const before = (await activeKeys()).length;
    const res = await post(
      '/api-keys',
      { name: 'kept <name>', expiry: 'date', expiresOn: '2031-02-03', password: 'hunter2hunter2' },
      old,
      {
        referer: 'http://localhost:80/api-keys/new',
        origin: 'http://localhost:80',
      },
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fapi-keys%2Fnew');
    const stash = cookiesOf(res)['usersync_form']!;
    expect(stash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { rows } = await p.pool.query('SELECT fields FROM admin.form_stash');
    expect(rows[0].fields).toEqual({ name: 'kept <name>', expiry: 'date', expiresOn: '2031-02-03' });
    expect((await activeKeys()).length).toBe(before);

    const login = await p.app.inject({ url: '/login?next=%2Fapi-keys%2Fnew', cookies: { usersync_form: stash } });
    expect(login.body).toContain('data-testid="session-expired-notice"');
    expect(login.body).toContain('What you entered is kept');
    const signedIn = await submitLogin(p.app, { ...ADMIN, next: '/api-keys/new' });
    expect(signedIn.headers.location).toBe('/api-keys/new');
    const cookies = { usersync_session: cookiesOf(signedIn)['usersync_session']!, usersync_form: stash };
    const restored = await p.app.inject({ url: '/api-keys/new', cookies });
    expect(restored.body).toContain('data-testid="form-restored"');
    expect(restored.body).toContain('value="kept &lt;name&gt;"');
    expect(restored.body).toMatch(/<option value="date" selected>/);
    expect(restored.body).toContain('value="2031-02-03"');
    expect(cookiesOf(restored)['usersync_form']).toBe('');
    // Once only.
    const later = await p.app.inject({ url: '/api-keys/new', cookies });
    expect(later.body).not.toContain('data-testid="form-restored"');
  });

  it('says on the sign-in page that an upload must be repeated', async () => {
    const old = await expiredSession();
    const fd = new FormData();
    fd.append('_csrf', old.csrf);
    fd.append('reason', 'new schema');
    fd.append('file', new Blob(['{}']), 'control.json');
    const body = new Response(fd);
    const res = await p.app.inject({
      method: 'POST',
      url: '/control-file/upload',
      cookies: old.cookies,
      headers: {
        'content-type': body.headers.get('content-type')!,
        referer: 'http://localhost:80/control-file/upload',
      },
      payload: Buffer.from(await body.arrayBuffer()),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fcontrol-file%2Fupload');
    const login = await p.app.inject({
      url: res.headers.location as string,
      cookies: { usersync_form: cookiesOf(res)['usersync_form']! },
    });
    expect(login.body).toContain('The file you chose was not received');
  });

  it('says when the input was too long to keep, and keeps nothing once 1,000 forms are waiting', async () => {
    const old = await expiredSession();
    const big = await post('/api-keys', { name: 'x'.repeat(120_000) }, old, {
      referer: 'http://localhost:80/api-keys/new',
    });
    const login = await p.app.inject({
      url: big.headers.location as string,
      cookies: { usersync_form: cookiesOf(big)['usersync_form']! },
    });
    expect(login.body).toContain('What you entered was too long to keep');
    await p.pool.query(
      `INSERT INTO admin.form_stash (id, return_to, posted_to, fields, expires_at)
       SELECT encode(sha256(n::text::bytea), 'hex'), '/config', '/config', '{}', now() + interval '5 minutes'
       FROM generate_series(1, 1000) n`,
    );
    const full = await post('/api-keys', { name: 'one more' }, old, { referer: 'http://localhost:80/api-keys/new' });
    expect(full.headers.location).toBe('/login?next=%2Fapi-keys%2Fnew');
    expect(cookiesOf(full)['usersync_form']).toBeUndefined();
    await p.pool.query('DELETE FROM admin.form_stash');
  });

  it('keeps nothing from a cross-site POST or one without a session cookie', async () => {
    const old = await expiredSession();
    const cross = await post('/api-keys', { name: 'planted' }, old, { origin: 'https://evil.example' });
    expect(cross.statusCode).toBe(303);
    expect(cross.headers.location).toBe('/login');
    expect(cookiesOf(cross)['usersync_form']).toBeUndefined();
    const anonymous = await p.app.inject({ method: 'POST', url: '/api-keys', ...form({ name: 'planted' }) });
    expect(anonymous.headers.location).toBe('/login');
    expect(cookiesOf(anonymous)['usersync_form']).toBeUndefined();
  });
});
