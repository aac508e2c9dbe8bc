/**
 * SCIM Users against the running gateway, written from RFC 7644 §3: create, read, list with filters and
 * paging, projection, replace, patch, delete, versions, and the errors each one can give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import {
  ENTERPRISE,
  ERROR_SCHEMA,
  PATCH_OP,
  USER_SCHEMA,
  scimClient,
  type ScimClient,
} from '../support/scim-client.js';

let env: GatewayEnv;
let scim: ScimClient;

beforeAll(async () => {
  env = await startGatewayEnv();
  scim = await scimClient(env);
});
afterAll(async () => env?.stop());

describe('POST /Users', () => {
  it('creates a user: 201, Location, ETag, id and meta, in application/scim+json', async () => {
    const res = await scim.call('POST', '/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: 'bjensen@example.com',
      externalId: 'emp-0001',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
      [ENTERPRISE]: { department: 'Tours' },
      password: 'never kept',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    const id = res.body.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const meta = res.body.meta as Record<string, string>;
    expect(res.headers.get('location')).toBe(meta.location);
    expect(meta.location).toBe(`${env.baseUrl}/scim/v2/Users/${id}`);
    expect(meta).toMatchObject({ resourceType: 'User', version: 'W/"1"' });
    expect(Date.parse(meta.created)).not.toBeNaN();
    expect(meta.lastModified).toBe(meta.created);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(res.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    expect(res.body.password).toBeUndefined();
    expect(res.body[ENTERPRISE]).toEqual({ department: 'Tours' });
  });

  it('refuses a taken userName, in any case, with 409 uniqueness', async () => {
    await scim.createUser({ userName: 'taken@example.com' });
    const res = await scim.call('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'TAKEN@example.com' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness' });
  });

  it('refuses bad bodies with 400 and a SCIM error, never a 500', async () => {
    const cases: [unknown, string][] = [
      ['{"userName": ', 'invalidSyntax'],
      [[1, 2], 'invalidSyntax'],
      [{ schemas: [USER_SCHEMA] }, 'invalidValue'],
      [{ schemas: [USER_SCHEMA], userName: 'x', active: 'sometimes' }, 'invalidValue'],
      [{ schemas: [USER_SCHEMA], userName: 'x', emails: [{ value: 1, primary: 'no' }] }, 'invalidValue'],
    ];
    for (const [body, scimType] of cases) {
      const res = await scim.call('POST', '/Users', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.scimType).toBe(scimType);
      expect(String(res.body.detail).length).toBeGreaterThan(10);
    }
  });
});

describe('GET /Users', () => {
  beforeAll(async () => {
    for (let i = 0; i < 12; i++)
      await scim.createUser({
        userName: `list${String(i).padStart(2, '0')}@example.org`,
        externalId: `L${i}`,
        displayName: i % 2 ? 'Odd Person' : 'Even Person',
        active: i < 10,
        emails: [{ value: `list${i}@example.org`, type: i % 3 ? 'work' : 'home' }],
      });
  });
  const names = (res: { body: { Resources?: Record<string, unknown>[] } }) =>
    (res.body.Resources ?? []).map((r) => r.userName);
  const filter = (f: string) => scim.call('GET', `/Users?filter=${encodeURIComponent(f)}&count=100`);

  it('gets a user by id, 404 for an unknown or malformed id, 304 for a current If-None-Match', async () => {
    const created = await scim.createUser({ userName: 'get-me' });
    const res = await scim.call('GET', `/Users/${String(created.id)}`);
    expect(res.status).toBe(200);
    expect(res.body.userName).toBe('get-me');
    expect((await scim.call('GET', '/Users/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    const bad = await scim.call('GET', '/Users/not-a-uuid');
    expect(bad.status).toBe(404);
    expect(bad.body.schemas).toEqual([ERROR_SCHEMA]);
    const cached = await scim.call('GET', `/Users/${String(created.id)}`, undefined, { 'if-none-match': 'W/"1"' });
    expect(cached.status).toBe(304);
  });

  it('filters with eq, sw, co, ew, pr, and, or, not on userName, externalId, emails, displayName, active', async () => {
    expect(names(await filter('userName eq "LIST03@example.org"'))).toEqual(['list03@example.org']);
    expect(names(await filter('externalId eq "L4"'))).toEqual(['list04@example.org']);
    expect(names(await filter('externalId eq "l4"'))).toEqual([]); // externalId is caseExact
    expect(names(await filter('userName sw "list1"'))).toEqual(['list10@example.org', 'list11@example.org']);
    expect((await filter('userName co "ST0"')).body.totalResults).toBe(10);
    expect((await filter('userName ew "@example.org" and active eq false')).body.totalResults).toBe(2);
    expect(names(await filter('emails.value eq "list7@EXAMPLE.org"'))).toEqual(['list07@example.org']);
    expect((await filter('emails[type eq "home" and value sw "list"]')).body.totalResults).toBe(4);
    expect((await filter('displayName eq "odd person" or externalId eq "L0"')).body.totalResults).toBe(7);
    expect((await filter('userName sw "list" and not (active eq true)')).body.totalResults).toBe(2);
    expect((await filter('userName sw "list" and title pr')).body.totalResults).toBe(0);
    expect((await filter('userName sw "list" and active eq "True"')).body.totalResults).toBe(10);
    expect((await filter('userName sw "list" and meta.created gt "2000-01-01T00:00:00Z"')).body.totalResults).toBe(12);
    expect((await filter('userName sw "list_"')).body.totalResults).toBe(0); // LIKE wildcards are literal
  });

  it('pages with startIndex and count, count=0 giving the total only', async () => {
    const page = await scim.call(
      'GET',
      `/Users?filter=${encodeURIComponent('userName sw "list"')}&startIndex=3&count=4`,
    );
    expect(page.body).toMatchObject({ totalResults: 12, startIndex: 3, itemsPerPage: 4 });
    expect(names(page)).toEqual([
      'list02@example.org',
      'list03@example.org',
      'list04@example.org',
      'list05@example.org',
    ]);
    const none = await scim.call('GET', `/Users?filter=${encodeURIComponent('userName sw "list"')}&count=0`);
    expect(none.body).toMatchObject({ totalResults: 12, itemsPerPage: 0, Resources: [] });
    const beyond = await scim.call('GET', `/Users?filter=${encodeURIComponent('userName sw "list"')}&startIndex=50`);
    expect(beyond.body).toMatchObject({ totalResults: 12, itemsPerPage: 0 });
  });

  it('projects with attributes and excludedAttributes, and searches by POST /.search', async () => {
    const slim = await scim.call(
      'GET',
      `/Users?filter=${encodeURIComponent('externalId eq "L1"')}&attributes=userName,emails.value`,
    );
    expect(slim.body.Resources![0]).toEqual({
      schemas: [USER_SCHEMA],
      id: expect.any(String),
      userName: 'list01@example.org',
      emails: [{ value: 'list1@example.org' }],
    });
    const without = await scim.call(
      'GET',
      `/Users?filter=${encodeURIComponent('externalId eq "L1"')}&excludedAttributes=emails,meta`,
    );
    expect(without.body.Resources![0]!.emails).toBeUndefined();
    expect(without.body.Resources![0]!.meta).toBeUndefined();
    const searched = await scim.call('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'externalId eq "L2"',
      attributes: ['userName'],
    });
    expect(searched.status).toBe(200);
    expect(searched.body.Resources).toEqual([
      { schemas: [USER_SCHEMA], id: expect.any(String), userName: 'list02@example.org' },
    ]);
  });

  it('refuses bad filters and paging with 400 invalidFilter / invalidValue', async () => {
    for (const f of ['userName eq', 'shoeSize eq "9"', 'active gt true', '(userName eq "x"'])
      expect((await filter(f)).body.scimType, f).toBe('invalidFilter');
    expect((await scim.call('GET', '/Users?startIndex=first')).body.scimType).toBe('invalidValue');
  });
});

describe('PUT, PATCH and DELETE /Users/:id', () => {
  it('replaces a user, bumping the version; a stale If-Match gets 412', async () => {
    const u = await scim.createUser({ userName: 'put-me', title: 'Old' });
    const path = `/Users/${String(u.id)}`;
    const res = await scim.call(
      'PUT',
      path,
      { schemas: [USER_SCHEMA], userName: 'put-me', nickName: 'P' },
      { 'if-match': 'W/"1"' },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userName: 'put-me', nickName: 'P', meta: { version: 'W/"2"' } });
    expect(res.body.title).toBeUndefined();
    const stale = await scim.call('PUT', path, { schemas: [USER_SCHEMA], userName: 'put-me' }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.schemas).toEqual([ERROR_SCHEMA]);
  });

  it('patches as Entra ID does: Replace with string booleans, value filters, no-path objects', async () => {
    const u = await scim.createUser({
      userName: 'patch-me',
      emails: [{ value: 'a@x.org', type: 'work', primary: true }],
    });
    const path = `/Users/${String(u.id)}`;
    const res = await scim.call('PATCH', path, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'b@x.org' },
        { op: 'Add', value: { 'name.givenName': 'Pat', [`${ENTERPRISE}:department`]: 'Ops' } },
        { op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+44 7700 900123' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      active: false,
      emails: [{ value: 'b@x.org', type: 'work', primary: true }],
      name: { givenName: 'Pat' },
      phoneNumbers: [{ type: 'mobile', value: '+44 7700 900123' }],
      [ENTERPRISE]: { department: 'Ops' },
      meta: { version: 'W/"2"' },
    });
    const back = await scim.call('GET', path);
    expect(back.body.active).toBe(false);
    const removed = await scim.call('PATCH', path, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: 'phoneNumbers' }],
    });
    expect(removed.body.phoneNumbers).toBeUndefined();
  });

  it('refuses bad patches with the right scimType, changing nothing', async () => {
    const u = await scim.createUser({ userName: 'bad-patch', title: 'Kept' });
    const path = `/Users/${String(u.id)}`;
    const tries: [unknown, number, string | undefined][] = [
      [{ schemas: [PATCH_OP], Operations: [] }, 400, 'invalidSyntax'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'jump', path: 'title' }] }, 400, 'invalidSyntax'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'remove' }] }, 400, 'noTarget'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'shoeSize', value: 1 }] }, 400, 'invalidPath'],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'id', value: 'x' }] }, 400, 'mutability'],
      [
        { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type eq', value: 'x' }] },
        400,
        'invalidPath',
      ],
      [
        {
          schemas: [PATCH_OP],
          Operations: [
            { op: 'replace', path: 'title', value: 'X' },
            { op: 'remove', path: 'userName' },
          ],
        },
        400,
        'invalidValue',
      ],
    ];
    for (const [body, status, scimType] of tries) {
      const res = await scim.call('PATCH', path, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.scimType).toBe(scimType);
    }
    expect((await scim.call('GET', path)).body).toMatchObject({ title: 'Kept', meta: { version: 'W/"1"' } });
    expect(
      (
        await scim.call('PATCH', '/Users/00000000-0000-0000-0000-000000000000', {
          schemas: [PATCH_OP],
          Operations: [{ op: 'remove', path: 'title' }],
        })
      ).status,
    ).toBe(404);
  });

  it('deletes a user: 204, then 404', async () => {
    const u = await scim.createUser({ userName: 'delete-me' });
    const path = `/Users/${String(u.id)}`;
    expect((await scim.call('DELETE', path, undefined, { 'if-match': 'W/"7"' })).status).toBe(412);
    expect((await scim.call('DELETE', path)).status).toBe(204);
    expect((await scim.call('GET', path)).status).toBe(404);
    expect((await scim.call('DELETE', path)).status).toBe(404);
  });
});
