/** Route schemas of upload-file and start-sync, for the generated OpenAPI document (api-schemas.ts). */
import type { FastifySchema } from 'fastify';
import { ERROR_RESPONSES } from './api-schemas.js';

const text = (description: string) => ({ description, content: { 'text/plain': { schema: { type: 'string' } } } });
const runRef = {
  runId: { type: 'integer', description: 'The run start-sync looked at.' },
  runUrl: { type: 'string', description: 'Its status URL (GET runs/:id) under the prefix the request came in on.' },
};

/** The multipart body, documented only: busboy streams it, so no schema validates it (see openapi.ts). */
export const UPLOAD_BODY = {
  type: 'object',
  properties: {
    name: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'The file name in the control file (`_control` for the control file). Send it before `file`.',
    },
    rdr: { type: 'string', description: 'A local path (starting with one /) to redirect to on success.' },
    file: { type: 'string', format: 'binary', description: 'The file content, streamed to S3 while it is hashed.' },
  },
  required: ['file'],
};

export const UPLOAD_ROUTE: FastifySchema = {
  tags: ['upload'],
  summary: 'Upload one file of a sync run',
  description:
    "Haplo's upload-file: the file lands in the one open run; the run becomes ready when its names equal the " +
    "control file's files plus _control. An identical re-upload returns the existing record.",
  querystring: {
    type: 'object',
    properties: {
      name: { type: 'string', description: "The name, as Haplo's Windows uploader sends it (the form field wins)." },
      rdr: { type: 'string' },
    },
  },
  response: {
    200: {
      description: "Haplo's three keys first, then the run the file landed in.",
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              digest: { type: 'string', pattern: '^[0-9a-f]{64}$' },
              fileSize: { type: 'integer' },
              filename: { type: 'string' },
              runId: { type: 'integer' },
              runUrl: { type: 'string' },
            },
            required: ['digest', 'fileSize', 'filename', 'runId', 'runUrl'],
          },
        },
      },
    },
    302: { description: 'Redirect to `rdr` (a local path) on success.' },
    ...ERROR_RESPONSES,
  },
};

const OUTCOMES = 'missing-files, admin-intervention-required, queued-for-apply, complete, failure, cancelled';

export const START_SYNC_ROUTES: Record<'plain' | 'json' | 'xml', FastifySchema> = {
  plain: {
    tags: ['upload'],
    summary: "Start the sync (Haplo's plain answer)",
    description: "Haplo's line, byte for byte, answered at once. Takes no body (an empty form is accepted).",
    response: {
      200: text('`OK. Sync queued.`, or `OK: …; must apply manually.` when the run is held.'),
      ...ERROR_RESPONSES,
      400: text('`Last sync is not ready. Upload all the required files.`, or a malformed body.'),
    },
  },
  json: {
    tags: ['upload'],
    summary: 'Start the sync (JSON answer)',
    description:
      "Haplo's structured answer plus the run; a queued run is waited for (INGEST_START_SYNC_WAIT_MS) " +
      "and the worker's decision answered. Always 200.",
    response: {
      200: {
        description: 'The outcome.',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                status: { type: 'string', description: `One of ${OUTCOMES}.` },
                error: { type: 'boolean' },
                message: { type: 'string' },
                ...runRef,
                holdReason: {
                  type: 'object',
                  properties: { code: { type: 'string' }, text: { type: 'string' } },
                },
                holdDetail: { anyOf: [{ type: 'string' }, { type: 'null' }] },
              },
              required: ['status', 'error', 'message'],
            },
          },
        },
      },
      ...ERROR_RESPONSES,
    },
  },
  xml: {
    tags: ['upload'],
    summary: 'Start the sync (XML answer)',
    description:
      '`<response><sync error="…" status="…" run-id="…" run-url="…" [hold-reason="…"]>message</sync></response>`; ' +
      'waits for a queued run as the JSON form does. Always 200.',
    response: {
      200: { description: 'The outcome.', content: { 'application/xml': { schema: { type: 'string' } } } },
      ...ERROR_RESPONSES,
    },
  },
};
