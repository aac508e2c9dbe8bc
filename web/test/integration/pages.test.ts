import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrpcServer, type GrpcServer } from '@usersync/platform';
import { signIn, silentLog, startPortal, submitLogin, type TestPortal } from '../support.js';

let grpc: GrpcServer;
let port: number;
let portal: TestPortal;
beforeAll(async () => {
  // A real gRPC server that serves no RunService: every RunService call answers UNIMPLEMENTED.
  grpc = createGrpcServer({ port: 0, host: '127.0.0.1', log: silentLog(), services: [] });
  port = await grpc.start();
  portal = await startPortal({ runServiceAddr: `127.0.0.1:${port}` });
});
afterAll(async () => {
  await portal?.close();
  await grpc?.stop(0);
});

describe('dashboard', () => {
  it('shows every section, saying plainly which peers are not available yet', async () => {
    const s = await signIn(portal.app);
    const res = await portal.app.inject({ url: '/', cookies: s.cookies });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    for (const heading of ['User lookup', 'Sync runs', 'Configuration', 'API keys'])
      expect(res.body).toContain(`>${heading}</h2>`);
    expect(res.body).toContain(
      'The runs list is not available yet: the run service does not serve it in this version.',
    );
    expect(res.body).toContain('The key service is not answering, so keys cannot be counted right now.');
    expect(res.body).toContain('class="skip-link" href="#main"');
    expect(res.body).toContain('href="/api-keys/new">Create API key…</a>');
  });

  it('says the run service is not answering when nothing listens at its address', async () => {
    const down = await startPortal();
    try {
      const s = await signIn(down.app);
      const res = await down.app.inject({ url: '/', cookies: s.cookies });
      expect(res.body).toContain('The run service is not answering, so runs cannot be shown right now.');
    } finally {
      await down.close();
    }
  });

  it('answers 503 with a clear page when the key service is down on the keys page', async () => {
    const s = await signIn(portal.app);
    const res = await portal.app.inject({ url: '/api-keys', cookies: s.cookies });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('A service this page needs is not answering. Try again in a moment.');
  });

  it('shows a 404 page for unknown addresses to signed-in admins', async () => {
    const s = await signIn(portal.app);
    const res = await portal.app.inject({ url: '/no/such/page', cookies: s.cookies });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('There is no page at this address.');
  });
});

describe('audit log page', () => {
  it('lists entries newest first and pages back, as a fragment for htmx', async () => {
    await portal.pool.query(
      `INSERT INTO admin.audit (actor, action, target, ip)
       SELECT '{"kind":"system","id":"","displayName":"usersync"}', 'test.entry', 'entry ' || n, '127.0.0.1'
       FROM generate_series(1, 55) AS n`,
    );
    const s = await signIn(portal.app);
    const page = await portal.app.inject({ url: '/audit', cookies: s.cookies });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-testid="audit-table"');
    // Sign-ins are hidden unless asked for (issue 17); asked for, the newest comes first.
    expect(page.body).not.toContain('data-action="login.succeeded"');
    const withSignIns = await portal.app.inject({ url: '/audit?signins=1', cookies: s.cookies });
    expect(withSignIns.body.indexOf('data-action="login.succeeded"')).toBeLessThan(
      withSignIns.body.indexOf('entry 55'),
    );
    expect(page.body.indexOf('entry 55')).toBeLessThan(page.body.indexOf('entry 54'));
    const older = /hx-get="(\/audit\?before=[\d.]+)"/.exec(page.body)![1]!;
    const fragment = await portal.app.inject({ url: older, cookies: s.cookies, headers: { 'hx-request': 'true' } });
    expect(fragment.headers.vary).toContain('HX-Request');
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body).toContain('entry 1</td>');
    const full = await portal.app.inject({ url: older, cookies: s.cookies });
    expect(full.body).toContain('<html');
  });

  it('records logins from where they came', async () => {
    await submitLogin(portal.app, { email: 'ada@example.org', password: 'wrong password!' });
    const { rows } = await portal.pool.query(`SELECT ip FROM admin.audit WHERE action = 'login.failed' LIMIT 1`);
    expect(rows[0].ip).toBe('127.0.0.1');
  });
});
