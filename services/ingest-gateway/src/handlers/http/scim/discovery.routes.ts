/** Discovery (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas, each also by id. */
import type { FastifyInstance } from 'fastify';
import { listResponse, notFound, resourceTypeDocuments, schemaDocuments, serviceProviderConfig } from '@usersync/scim';
import { baseUrlOf, sendScim } from './scim-reply.js';

export function registerDiscoveryRoutes(api: FastifyInstance, maxResults: number): void {
  api.get('/ServiceProviderConfig', async (request, reply) =>
    sendScim(reply, 200, serviceProviderConfig(baseUrlOf(request), { maxResults })),
  );
  const kinds: [string, (baseUrl: string) => { id: string }[]][] = [
    ['/ResourceTypes', resourceTypeDocuments],
    ['/Schemas', schemaDocuments],
  ];
  for (const [path, documents] of kinds) {
    api.get(path, async (request, reply) => {
      const all = documents(baseUrlOf(request));
      return sendScim(reply, 200, listResponse(all.length, { startIndex: 1, count: all.length }, all));
    });
    api.get(`${path}/:id`, async (request, reply) => {
      const id = (request.params as { id: string }).id;
      const found = documents(baseUrlOf(request)).find((d) => d.id.toLowerCase() === id.toLowerCase());
      if (!found) throw notFound(`There is no ${path.slice(1, -1)} ${JSON.stringify(id)}.`);
      return sendScim(reply, 200, found);
    });
  }
}
