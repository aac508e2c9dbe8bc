/**
 * `/Users` and `/Groups` (RFC 7644 §3.3–3.6, §3.4.3): create, get, list (query and POST /.search),
 * replace, patch, delete. Both resource types share these routes; their use cases differ.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  badRequest,
  notModified,
  parseProjection,
  project,
  SEARCH_REQUEST_SCHEMA,
  type ResourceType,
  type ScimResource,
} from '@usersync/scim';
import type { ListQuery, Versioned } from '../../../usecases/scim-users.js';
import { baseUrlOf, sendScim } from './scim-reply.js';

/** What the routes need of a resource type's use cases (scimUsers and scimGroups both fit). */
export interface ResourceCases {
  create(body: unknown, baseUrl: string): Promise<Versioned>;
  get(id: string, baseUrl: string): Promise<Versioned>;
  list(query: ListQuery, baseUrl: string): Promise<{ Resources: ScimResource[] } & Record<string, unknown>>;
  replace(id: string, body: unknown, ifMatch: string | undefined, baseUrl: string): Promise<Versioned>;
  patch(id: string, body: unknown, ifMatch: string | undefined, baseUrl: string): Promise<Versioned>;
  remove(id: string, ifMatch: string | undefined): Promise<void>;
}

type Query = Record<string, string | string[] | undefined>;

/** One value of a query parameter, matched case-insensitively (`startindex` works as well). */
function param(query: Query, name: string): string | undefined {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : query[key];
  if (Array.isArray(v)) throw badRequest('invalidValue', `The query parameter ${name} is given more than once.`);
  return v;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

export function registerResourceRoutes(api: FastifyInstance, type: ResourceType, cases: ResourceCases): void {
  const endpoint = type.endpoint;
  const projected = (request: FastifyRequest, resource: ScimResource, source: Query = request.query as Query) =>
    project(type, resource, parseProjection(type, param(source, 'attributes'), param(source, 'excludedAttributes')));

  const list = async (request: FastifyRequest, source: Query) => {
    const page = await cases.list(
      { filter: param(source, 'filter'), startIndex: param(source, 'startIndex'), count: param(source, 'count') },
      baseUrlOf(request),
    );
    return { ...page, Resources: page.Resources.map((r) => projected(request, r, source)) };
  };

  api.post(endpoint, async (request, reply) => {
    const created = await cases.create(request.body, baseUrlOf(request));
    void reply.header('location', (created.resource.meta as { location: string }).location);
    return sendScim(reply, 201, projected(request, created.resource), created.version);
  });

  api.get(endpoint, async (request, reply) => sendScim(reply, 200, await list(request, request.query as Query)));

  api.post(`${endpoint}/.search`, async (request, reply) => {
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw badRequest(
        'invalidSyntax',
        `A search needs a JSON SearchRequest body ("schemas": ["${SEARCH_REQUEST_SCHEMA}"]).`,
      );
    const source: Query = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (k === 'schemas') continue;
      source[k] = Array.isArray(v) ? v.join(',') : v === undefined || v === null ? undefined : String(v);
    }
    return sendScim(reply, 200, await list(request, source));
  });

  api.get(`${endpoint}/:id`, async (request, reply) => {
    const found = await cases.get(idOf(request), baseUrlOf(request));
    if (notModified(header(request, 'if-none-match'), found.version)) return reply.code(304).send();
    return sendScim(reply, 200, projected(request, found.resource), found.version);
  });

  api.put(`${endpoint}/:id`, async (request, reply) => {
    const replaced = await cases.replace(idOf(request), request.body, header(request, 'if-match'), baseUrlOf(request));
    return sendScim(reply, 200, projected(request, replaced.resource), replaced.version);
  });

  api.patch(`${endpoint}/:id`, async (request, reply) => {
    const patched = await cases.patch(idOf(request), request.body, header(request, 'if-match'), baseUrlOf(request));
    return sendScim(reply, 200, projected(request, patched.resource), patched.version);
  });

  api.delete(`${endpoint}/:id`, async (request, reply) => {
    await cases.remove(idOf(request), header(request, 'if-match'));
    return reply.code(204).send();
  });
}
