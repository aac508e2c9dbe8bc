/**
 * SCIM throughput over HTTP, as an identity provider drives it: `clients` concurrent connections, each
 * creating its share of users (POST /Users), then deactivating each with the PATCH Entra sends
 * (`Replace active "False"`). Reports operations/s and p50/p95 latency per kind.
 */
import { performance } from 'node:perf_hooks';

export interface ScimThroughput {
  kind: string;
  operations: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function timed(
  kind: string,
  count: number,
  clients: number,
  op: (i: number) => Promise<void>,
): Promise<ScimThroughput> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    kind,
    operations: count,
    perSecond: count / seconds,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
  };
}

export async function scimThroughput(
  baseUrl: string,
  key: string,
  users: number,
  clients = 8,
): Promise<ScimThroughput[]> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/scim+json' };
  const ids: string[] = new Array(users);
  const call = async (method: string, path: string, body: unknown, expect: number) => {
    const res = await fetch(`${baseUrl}/scim/v2${path}`, { method, headers, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== expect) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as { id: string };
  };
  const creates = await timed('POST /Users', users, clients, async (i) => {
    const created = await call(
      'POST',
      '/Users',
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `scim.bench.${i}@example.org`,
        externalId: `B${i}`,
        name: { givenName: `Given${i}`, familyName: `Family${i}` },
        emails: [{ value: `scim.bench.${i}@example.org`, type: 'work', primary: true }],
        active: true,
      },
      201,
    );
    ids[i] = created.id;
  });
  const patches = await timed('PATCH /Users/:id', users, clients, async (i) => {
    await call(
      'PATCH',
      `/Users/${ids[i]}`,
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      },
      200,
    );
  });
  return [creates, patches];
}
