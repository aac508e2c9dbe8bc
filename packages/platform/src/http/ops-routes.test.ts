import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { isPublicRoute, registerOpsRoutes } from './index.js';

function buildApp(checks: Record<string, () => Promise<unknown>>, isReady = () => true) {
  const app = Fastify({ logger: false });
  // An app-wide auth hook as the gateways have: everything needs a key except public routes.
  app.addHook('onRequest', async (request, reply) => {
    if (isPublicRoute(request)) return;
    if (request.headers.authorization !== 'Bearer ok') return reply.code(401).send({ error: 'unauthenticated' });
  });
  registerOpsRoutes(app, { checks, isReady, checkTimeoutMs: 100 });
  app.get('/api/private', async () => ({ secret: true }));
  return app;
}

describe(registerOpsRoutes.name, () => {
  it('serves /healthz, /readyz and /metrics without credentials, while other routes need them', async () => {
    const app = buildApp({ db: async () => 1 });
    expect((await app.inject('/api/private')).statusCode).toBe(401);
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { db: 'ok' } });
    const metrics = await app.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('# TYPE process_cpu_user_seconds_total');
    await app.close();
  });

  it('answers 503 when a check fails or the app is shutting down', async () => {
    let ready = true;
    const app = buildApp(
      { nats: () => Promise.reject(new Error('connection refused')), db: async () => 1 },
      () => ready,
    );
    const failing = await app.inject('/readyz');
    expect(failing.statusCode).toBe(503);
    expect(failing.json()).toEqual({ status: 'unavailable', checks: { nats: 'failed', db: 'ok' } });
    ready = false;
    expect((await app.inject('/readyz')).json()).toMatchObject({ status: 'shutting_down' });
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    await app.close();
  });
});
