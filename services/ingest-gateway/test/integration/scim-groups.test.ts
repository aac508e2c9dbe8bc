/**
 * SCIM Groups, discovery and authentication against the running gateway (RFC 7644 §3, §4; RFC 7643 §4.2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { ERROR_SCHEMA, PATCH_OP, scimClient, type ScimClient } from '../support/scim-client.js';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
let env: GatewayEnv;
let scim: ScimClient;
let users: string[];

beforeAll(async () => {
  env = await startGatewayEnv();
  scim = await scimClient(env);
  users = [];
  for (const name of ['ann', 'bob', 'cat']) users.push(String((await scim.createUser({ userName: name })).id));
});
afterAll(async () => env?.stop());

describe('/Groups', () => {
  it('creates a group with members, shows it in each user, and finds it by displayName', async () => {
    const res = await scim.call('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Staff',
      members: [{ value: users[0] }, { value: users[1], type: 'User' }],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${env.baseUrl}/scim/v2/Groups/${String(res.body.id)}`);
    expect(res.body.members).toEqual([
      { value: users[0], $ref: `${env.baseUrl}/scim/v2/Users/${users[0]}`, display: 'ann', type: 'User' },
      { value: users[1], $ref: `${env.baseUrl}/scim/v2/Users/${users[1]}`, display: 'bob', type: 'User' },
    ]);
    const ann = await scim.call('GET', `/Users/${users[0]}`);
    expect(ann.body.groups).toEqual([
      {
        value: res.body.id,
        $ref: `${env.baseUrl}/scim/v2/Groups/${String(res.body.id)}`,
        display: 'Staff',
        type: 'direct',
      },
    ]);
    const found = await scim.call(
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "staff"')}&excludedAttributes=members`,
    );
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources![0]!.members).toBeUndefined();
    const byMember = await scim.call('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${users[1]}"]`)}`);
    expect(byMember.body.totalResults).toBe(1);
    const dup = await scim.call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'STAFF' });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe('uniqueness');
  });

  it('adds and removes members by PATCH, as Entra (value list) and Okta (filter) send them', async () => {
    const g = await scim.call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Patchers' });
    const path = `/Groups/${String(g.body.id)}`;
    const added = await scim.call('PATCH', path, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Add', path: 'members', value: [{ value: users[0] }, { value: users[1] }, { value: users[2] }] },
      ],
    });
    expect((added.body.members as unknown[]).length).toBe(3);
    const removed = await scim.call('PATCH', path, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Remove', path: 'members', value: [{ value: users[0] }] },
        { op: 'remove', path: `members[value eq "${users[1]}"]` },
        { op: 'replace', path: 'displayName', value: 'Patched' },
      ],
    });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ displayName: 'Patched', members: [{ value: users[2] }] });
    const unknown = await scim.call('PATCH', path, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: '00000000-0000-0000-0000-000000000000' }] }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.scimType).toBe('invalidValue');
    const nested = await scim.call('PATCH', path, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: String(g.body.id), type: 'Group' }] }],
    });
    expect(nested.body.detail).toMatch(/nested groups are not supported/);
  });

  it('replaces with PUT and deletes; deleting a user drops it from its groups', async () => {
    const g = await scim.call('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Temp',
      members: [{ value: users[2] }],
    });
    const path = `/Groups/${String(g.body.id)}`;
    const put = await scim.call('PUT', path, { schemas: [GROUP_SCHEMA], displayName: 'Temp 2', members: [] });
    expect(put.body).toMatchObject({ displayName: 'Temp 2', meta: { version: 'W/"2"' } });
    expect(put.body.members).toBeUndefined();
    const gone = await scim.createUser({ userName: 'leaver' });
    await scim.call('PATCH', path, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: gone.id }] }],
    });
    expect((await scim.call('DELETE', `/Users/${String(gone.id)}`)).status).toBe(204);
    expect((await scim.call('GET', path)).body.members).toBeUndefined();
    expect((await scim.call('DELETE', path)).status).toBe(204);
    expect((await scim.call('GET', path)).status).toBe(404);
  });
});

describe('discovery', () => {
  it('serves ServiceProviderConfig, ResourceTypes and Schemas as application/scim+json', async () => {
    const config = await scim.call('GET', '/ServiceProviderConfig');
    expect(config.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(config.body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      etag: { supported: true },
    });
    const types = await scim.call('GET', '/ResourceTypes');
    expect((types.body.Resources ?? []).map((r) => r.id)).toEqual(['User', 'Group']);
    expect((await scim.call('GET', '/ResourceTypes/User')).body).toMatchObject({
      endpoint: '/Users',
      schema: 'urn:ietf:params:scim:schemas:core:2.0:User',
    });
    const schemas = await scim.call('GET', '/Schemas');
    expect(schemas.body.totalResults).toBe(3);
    const user = await scim.call('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User');
    const userName = (user.body.attributes as { name: string; uniqueness: string; required: boolean }[]).find(
      (a) => a.name === 'userName',
    );
    expect(userName).toMatchObject({ uniqueness: 'server', required: true });
    expect((await scim.call('GET', '/Schemas/urn:nope')).status).toBe(404);
  });
});

describe('authentication and unknown endpoints', () => {
  it('answers 401 without a key, 401 for a bad key, 403 for an upload key, with SCIM error bodies', async () => {
    const bare = await fetch(`${env.baseUrl}/scim/v2/Users`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await bare.json()) as { schemas: string[] }).schemas).toEqual([ERROR_SCHEMA]);
    const wrong = await fetch(`${env.baseUrl}/scim/v2/Users`, { headers: { authorization: 'Bearer usk_nonsense' } });
    expect(wrong.status).toBe(401);
    const upload = await fetch(`${env.baseUrl}/scim/v2/Users`, {
      headers: { authorization: `Bearer ${env.uploadKey}` },
    });
    expect(upload.status).toBe(403);
    const scimKey = await scim.call('GET', '/Users?count=1');
    expect(scimKey.status).toBe(200);
    const onUploadApi = await fetch(`${env.baseUrl}/api/user-sync/runs`, {
      headers: { authorization: `Bearer ${(scim as unknown as { key: string }).key}` },
    });
    expect(onUploadApi.status).toBe(403);
  });

  it('answers unknown endpoints with a SCIM 404 and Bulk with 501', async () => {
    const res = await scim.call('GET', '/Widgets');
    expect(res.status).toBe(404);
    expect(res.body.schemas).toEqual([ERROR_SCHEMA]);
    expect((await scim.call('POST', '/Bulk', {})).status).toBe(501);
  });
});
