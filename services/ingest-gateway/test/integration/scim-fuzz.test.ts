/**
 * Fuzzing the SCIM endpoints: 1,500 seeded malformed requests against the running gateway. None may be
 * answered 5xx or go unanswered, every refusal is a SCIM error body, and the gateway stays ready.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { runCases, statusHistogram } from '../support/fuzz-run.js';
import { scimClient, type ScimClient } from '../support/scim-client.js';
import { scimFuzzCases } from '../support/scim-fuzz-cases.js';

let env: GatewayEnv;
let scim: ScimClient & { key: string };

beforeAll(async () => {
  env = await startGatewayEnv();
  scim = await scimClient(env);
});
afterAll(async () => env?.stop());

describe('SCIM fuzz', () => {
  it('answers 1,500 malformed requests with 4xx SCIM errors (or success), never 5xx, and stays ready', async () => {
    const user = await scim.createUser({ userName: 'fuzz-target' });
    const seed = Number(process.env.FUZZ_SEED ?? 20261203);
    const cases = scimFuzzCases(seed, Number(process.env.FUZZ_CASES ?? 1500)).map((c) => ({
      ...c,
      bytes: Buffer.from(c.bytes.toString('latin1').replace('{{ID}}', String(user.id)), 'latin1'),
    }));
    const port = Number(new URL(env.baseUrl).port);
    const outcomes = await runCases(port, cases, `Bearer ${scim.key}`, 8);
    const bad = outcomes.filter((o) => o.res.status === 0 || o.res.status >= 500);
    expect(
      bad.map((o) => `${o.fuzz.label} → ${o.res.status} ${o.res.body.slice(0, 200)}`),
      statusHistogram(outcomes),
    ).toEqual([]);
    const refusals = outcomes.filter((o) => o.res.status >= 400 && o.res.status !== 408);
    expect(refusals.length).toBeGreaterThan(cases.length / 2);
    for (const o of refusals) {
      expect(o.res.headers['content-type'], `${o.fuzz.label} ${o.res.status} ${o.res.body.slice(0, 120)}`).toMatch(
        /^application\/scim\+json/,
      );
      expect(JSON.parse(o.res.body).schemas, o.fuzz.label).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    }
    expect((await fetch(`${env.baseUrl}/readyz`)).status).toBe(200);
    expect((await scim.call('GET', `/Users/${String(user.id)}`)).status).toBe(200);
  });
});
