/**
 * `POST /scim/v2/bulkUpload` (Entra ID's API-driven inbound provisioning payload): 202 Accepted with a
 * Location where `GET` reports every operation's result. Operations are applied before the answer,
 * so the status resource is complete at once; the directory follows through runs of the SCIM source.
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '@usersync/scim';
import { getBulkRequest } from '../../../store/scim-bulk.repository.js';
import { bulkResponse, bulkUpload } from '../../../usecases/scim-bulk-upload.js';
import type { Pool } from 'pg';
import { baseUrlOf, sendScim } from './scim-reply.js';

export function registerBulkUploadRoutes(api: FastifyInstance, deps: { pool: Pool; maxOperations: number }): void {
  api.post('/bulkUpload', async (request, reply) => {
    const baseUrl = baseUrlOf(request);
    const row = await bulkUpload(deps.pool, request.body, request.actor!, baseUrl, deps.maxOperations);
    const body = bulkResponse(row, baseUrl);
    void reply.header('location', body.meta.location);
    return sendScim(reply, 202, body);
  });

  api.get('/bulkUpload/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const row = await getBulkRequest(deps.pool, id);
    if (!row) throw notFound(`There is no bulk upload ${JSON.stringify(id)}.`);
    return sendScim(reply, 200, bulkResponse(row, baseUrlOf(request)));
  });
}
