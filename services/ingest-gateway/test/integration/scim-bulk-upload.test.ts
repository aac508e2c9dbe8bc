/**
 * Entra ID's API-driven inbound provisioning payload (a SCIM BulkRequest posted to /bulkUpload), in the
 * lenient shape Microsoft's own samples and CSV converter produce, against the running gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { ENTERPRISE, scimClient, type ScimClient } from '../support/scim-client.js';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const CSV = 'urn:ietf:params:scim:schemas:extension:csv:1.0:User';
let env: GatewayEnv;
let scim: ScimClient;

beforeAll(async () => {
  env = await startGatewayEnv();
  scim = await scimClient(env);
});
afterAll(async () => env?.stop());

/** One employee as Microsoft's CSV2SCIM converter writes it: lowercase path, `username`, strings everywhere. */
function employee(n: number, overrides: Record<string, unknown> = {}) {
  const id = String(700000 + n);
  return {
    method: 'POST',
    bulkId: id,
    path: '/users',
    data: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE, CSV],
      externalId: id,
      username: `emp${id}@contoso.com`,
      name: { givenName: `Given${n}`, familyName: `Family${n}` },
      displayName: `Given${n} Family${n}`,
      emails: [{ value: `emp${id}@contoso.com`, type: 'work', primary: 'True' }],
      active: 'True',
      [ENTERPRISE]: { employeeNumber: id, department: n % 2 ? 'Sales' : 'Finance', manager: { value: '700000' } },
      [CSV]: { WorkerID: id, IsTerminated: 'False', HireDate: '2024-09-01' },
      ...overrides,
    },
  };
}

describe('POST /scim/v2/bulkUpload', () => {
  it('takes 1,000 users in one request: 202, a Location, and every operation reported', async () => {
    const res = await scim.call('POST', '/bulkUpload', {
      schemas: [BULK],
      Operations: Array.from({ length: 1000 }, (_, i) => employee(i)),
      failOnErrors: null,
    });
    expect(res.status).toBe(202);
    const location = res.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^${env.baseUrl}/scim/v2/bulkUpload/[0-9a-f-]{36}$`));
    expect(res.body).toMatchObject({ operationCount: 1000, failedCount: 0 });
    const ops = res.body.Operations as { status: string; bulkId: string; location: string }[];
    expect(ops).toHaveLength(1000);
    expect(new Set(ops.map((o) => o.status))).toEqual(new Set(['201']));
    expect(ops[5]!.bulkId).toBe('700005');
    const status = await scim.call('GET', location.slice(`${env.baseUrl}/scim/v2`.length));
    expect(status.status).toBe(200);
    expect(status.body.Operations).toEqual(res.body.Operations);

    const user = await scim.call('GET', ops[5]!.location.slice(`${env.baseUrl}/scim/v2`.length));
    expect(user.body).toMatchObject({
      userName: 'emp700005@contoso.com',
      active: true,
      emails: [{ value: 'emp700005@contoso.com', type: 'work', primary: true }],
      [ENTERPRISE]: { department: 'Sales', manager: { value: '700000' } },
      [CSV]: { WorkerID: '700005', IsTerminated: 'False', HireDate: '2024-09-01' },
    });
    expect(user.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE, CSV]);
  });

  it('matches on externalId: a second upload updates (200), a leaver arrives as active false', async () => {
    const res = await scim.call('POST', '/bulkUpload', {
      schemas: [BULK],
      Operations: [
        employee(1, { active: 'False', [CSV]: { IsTerminated: 'True' } }),
        employee(2, { username: 'renamed@contoso.com' }),
      ],
    });
    const ops = res.body.Operations as { status: string; location: string }[];
    expect(ops.map((o) => o.status)).toEqual(['200', '200']);
    const leaver = await scim.call('GET', ops[0]!.location.slice(`${env.baseUrl}/scim/v2`.length));
    expect(leaver.body).toMatchObject({ active: false, meta: { version: 'W/"2"' } });
    const renamed = await scim.call('GET', `/Users?filter=${encodeURIComponent('externalId eq "700002"')}`);
    expect(renamed.body.Resources![0]!.userName).toBe('renamed@contoso.com');
  });

  it('reports a bad operation in its result and applies the others; failOnErrors stops early', async () => {
    const res = await scim.call('POST', '/bulkUpload', {
      schemas: [BULK],
      Operations: [
        employee(2000, { active: 'maybe' }),
        { method: 'DELETE', path: '/Users', bulkId: 'x' },
        { method: 'POST', path: '/Groups', bulkId: 'y', data: {} },
        employee(2001, { externalId: '999999', username: 'emp700000@contoso.com' }),
        employee(2002),
        employee(2002),
      ],
    });
    expect(res.status).toBe(202);
    const ops = res.body.Operations as { status: string; response?: { scimType?: string; detail: string } }[];
    expect(ops.map((o) => o.status)).toEqual(['400', '400', '400', '409', '201', '200']);
    expect(ops[0]!.response).toMatchObject({ scimType: 'invalidValue' });
    expect(ops[0]!.response!.detail).toMatch(/^Operations\[0\]: active: expected a boolean/);
    expect(ops[1]!.response!.detail).toMatch(/method must be "POST"/);
    expect(ops[2]!.response!.scimType).toBe('invalidPath');
    expect(res.body.failedCount).toBe(4);

    const stopped = await scim.call('POST', '/bulkUpload', {
      schemas: [BULK],
      failOnErrors: 1,
      Operations: [employee(3000, { active: 'maybe' }), employee(3001)],
    });
    expect(stopped.body.Operations).toHaveLength(1);
    expect(
      (await scim.call('GET', `/Users?filter=${encodeURIComponent('externalId eq "703001"')}`)).body.totalResults,
    ).toBe(0);
  });

  it('refuses a request that is not a BulkRequest, or too big, as a whole', async () => {
    expect((await scim.call('POST', '/bulkUpload', { schemas: ['x'], Operations: [employee(1)] })).body.scimType).toBe(
      'invalidSyntax',
    );
    expect((await scim.call('POST', '/bulkUpload', { schemas: [BULK], Operations: [] })).status).toBe(400);
    expect(
      (await scim.call('POST', '/bulkUpload', { schemas: [BULK], Operations: [employee(1)], failOnErrors: 'x' }))
        .status,
    ).toBe(400);
    const big = await scim.call('POST', '/bulkUpload', {
      schemas: [BULK],
      Operations: Array.from({ length: 1001 }, (_, i) => employee(5000 + i)),
    });
    expect(big.status).toBe(413);
    expect(big.body.scimType).toBe('tooMany');
    expect((await scim.call('GET', '/bulkUpload/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });
});
